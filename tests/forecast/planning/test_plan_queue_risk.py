from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.planning.outlook import Outlook, OutlookResult, add_months
from forecast.planning.queue_risk import TargetDateError, energized_probability, queue_risk

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_queue_risk__has_the_response_shape_of_the_api(cox, headroom_result):
    risk = queue_risk(cox, "fast", 200.0, date(2028, 6, 1), headroom_result(1000.0, -5.0))
    body = risk.model_dump(mode="json")
    assert set(body) >= {
        "p_energized_by_target",
        "p_connected_by_target",
        "p_headroom_holds_given_connected",
        "hold_months",
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


def test_energized_probability__served_at_the_target_not_in_any_month_before_it():
    # as_of on the last day of a month: the target (day 31) falls in month 1; hold 1 month after it.
    cif = np.zeros(40)
    cif[0:] = 0.2
    cif[30:] = 0.5  # day 31 = the target
    ok = np.array(
        [
            [True, True, True],  # holds from the target month through the month after
            [True, True, False],  # headroom gone the month after the target
            [True, False, True],  # short in the target month itself
            [False, True, True],  # short only before the target: does not matter
        ]
    )
    p, connected, holds = energized_probability(cif, date(2025, 6, 30), date(2025, 7, 31), ok, 1)
    assert connected == pytest.approx(0.5) and holds == pytest.approx(2 / 4)
    assert p == pytest.approx(0.5 * 0.5)


def test_queue_risk__a_target_beyond_the_paths_is_refused_not_clamped(cox, headroom_result, as_of):
    headroom = headroom_result(1000.0, 0.0, months=36)
    ok = queue_risk(cox, "fast", 50.0, date(2027, 5, 31), headroom)  # month 23 + 12 = 35: last
    assert ok.hold_months == 12
    with pytest.raises(TargetDateError) as err:
        queue_risk(cox, "fast", 50.0, date(2027, 6, 1), headroom)
    assert err.value.field == "target_date" and err.value.latest == date(2027, 5, 31)
    assert "2027-05-31" in str(err.value)


def _flat_in_time(level: float, months: int = 200, n: int = 200) -> OutlookResult:
    """Headroom that differs by sample but not by month: P(holds) is the same at every date."""
    rng = np.random.default_rng(5)
    paths = np.repeat(level + rng.normal(0, 300, (n, 1)), months, axis=1)
    outlook = Outlook(region="fast", scenario="base", months=months, data_as_of=date(2025, 6, 30),
                      model_version="test", ai_growth_method="none", rows=[])
    return OutlookResult(outlook, paths, [add_months(date(2025, 6, 1), k) for k in range(months)])


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
    # Served-at-D semantics: with headroom that does not change over time, only the queue moves.
    headroom = _flat_in_time(900.0)
    early = queue_risk(cox, region, mw, as_of + timedelta(days=days), headroom)
    late = queue_risk(cox, region, mw, as_of + timedelta(days=days + later), headroom)
    assert late.p_energized_by_target >= early.p_energized_by_target - 1e-9
    # Whatever the headroom does, being connected never gets less likely with more time.
    falling = headroom_result(900.0, -8.0, months=200)
    early = queue_risk(cox, region, mw, as_of + timedelta(days=days), falling)
    late = queue_risk(cox, region, mw, as_of + timedelta(days=days + later), falling)
    assert late.p_connected_by_target >= early.p_connected_by_target - 1e-9


@PROPERTY
@given(
    days=st.integers(1, 5000),
    mw=st.floats(5, 2000),
    slope=st.floats(-20, 20),
    region=st.sampled_from(["fast", "slow"]),
)
def test_p_energized__never_exceeds_p_headroom_at_the_target(
    cox, headroom_result, as_of, days, mw, slope, region
):
    headroom = headroom_result(900.0, slope, months=200)
    risk = queue_risk(cox, region, mw, as_of + timedelta(days=days), headroom)
    assert risk.p_energized_by_target <= 1.0 - risk.headroom_shortfall_probability + 1e-9
    assert risk.p_energized_by_target == pytest.approx(
        risk.p_connected_by_target * risk.p_headroom_holds_given_connected, abs=2e-4
    )


@PROPERTY
@given(
    mw=st.floats(5, 1500),
    more=st.floats(1.0, 1000),
    days=st.integers(30, 4000),
    region=st.sampled_from(["fast", "slow"]),
)
def test_p_energized__never_increases_as_mw_grows(cox, headroom_result, as_of, mw, more, days, region):
    headroom = headroom_result(900.0, -8.0, months=200)
    target = as_of + timedelta(days=days)
    small = queue_risk(cox, region, mw, target, headroom)
    large = queue_risk(cox, region, mw + more, target, headroom)
    assert large.p_energized_by_target <= small.p_energized_by_target + 1e-9
