from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.planning.queue_risk import energized_probability, queue_risk

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_queue_risk__has_the_response_shape_of_the_api(cox, headroom_result):
    risk = queue_risk(cox, "fast", 200.0, date(2028, 6, 1), headroom_result(1000.0, -5.0))
    body = risk.model_dump(mode="json")
    assert set(body) == {
        "p_energized_by_target",
        "wait_days",
        "headroom_shortfall_probability",
        "risk",
        "drivers",
        "model_version",
        "data_as_of",
    }
    assert set(body["wait_days"]) == {"p10", "p50", "p90"}
    assert body["risk"] in ("low", "medium", "high") and body["drivers"]
    w = risk.wait_days
    assert w.p10 <= w.p50 <= w.p90


def test_energized_probability__hand_worked_two_months():
    # as_of on the last day of a month: month 0 ends after 1 day, month 1 at the target (31 days).
    cif = np.zeros(40)
    cif[0:] = 0.2
    cif[30:] = 0.5  # day 31 = the target
    ok = np.array([[False, True], [False, False]])  # sample 0 gets headroom in month 1 only
    p = energized_probability(cif, date(2025, 6, 30), date(2025, 7, 31), ok)
    # month 0: 0.2 leaves the queue, headroom later in sample 0 only (1/2); month 1: 0.3 * 1/2
    assert p == pytest.approx(0.2 * 0.5 + 0.3 * 0.5)


def test_queue_risk__shortfall_follows_headroom(cox, headroom_result):
    roomy = queue_risk(cox, "fast", 200.0, date(2028, 6, 1), headroom_result(5000.0, 0.0))
    short = queue_risk(cox, "fast", 200.0, date(2028, 6, 1), headroom_result(100.0, 0.0))
    assert roomy.headroom_shortfall_probability == 0.0 and short.headroom_shortfall_probability > 0.9
    assert short.p_energized_by_target < roomy.p_energized_by_target


def test_queue_risk__a_target_before_as_of_cannot_be_met(cox, headroom_result, as_of):
    risk = queue_risk(cox, "slow", 50.0, as_of - timedelta(days=10), headroom_result(1000.0, 0.0))
    assert risk.p_energized_by_target == 0.0 and risk.risk == "high"


@PROPERTY
@given(
    days=st.integers(0, 3000),
    later=st.integers(1, 1500),
    mw=st.floats(5, 2000),
    region=st.sampled_from(["fast", "slow"]),
)
def test_p_energized__never_decreases_as_the_target_moves_later(
    cox, headroom_result, as_of, days, later, mw, region
):
    headroom = headroom_result(900.0, -8.0)
    early = queue_risk(cox, region, mw, as_of + timedelta(days=days), headroom)
    late = queue_risk(cox, region, mw, as_of + timedelta(days=days + later), headroom)
    assert late.p_energized_by_target >= early.p_energized_by_target - 1e-9


@PROPERTY
@given(
    mw=st.floats(5, 1500),
    more=st.floats(1.0, 1000),
    days=st.integers(30, 4000),
    region=st.sampled_from(["fast", "slow"]),
)
def test_p_energized__never_increases_as_mw_grows(cox, headroom_result, as_of, mw, more, days, region):
    headroom = headroom_result(900.0, -8.0)
    target = as_of + timedelta(days=days)
    small = queue_risk(cox, region, mw, target, headroom)
    large = queue_risk(cox, region, mw + more, target, headroom)
    assert large.p_energized_by_target <= small.p_energized_by_target + 1e-9
