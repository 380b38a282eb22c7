from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.planning.growth import AIDemandGrowth, logistic
from forecast.planning.outlook import InsufficientHistoryError, monthly_outlook
from forecast.planning.scenarios import (
    SCENARIOS,
    Scenario,
    UnknownScenarioError,
    get_scenario,
    scenario_ratio,
)

END = datetime(2025, 12, 31, 23, tzinfo=UTC)


def _hourly(values_per_hour, days: int = 730) -> pl.DataFrame:
    ts = pl.datetime_range(
        END - timedelta(days=days) + timedelta(hours=1), END, "1h", time_zone="UTC", eager=True
    )
    hours = np.arange(len(ts))
    return pl.DataFrame({S.REGION: "r", S.TS: ts, S.VALUE: values_per_hour(hours)})


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    load = _hourly(
        lambda h: (
            1000
            + 200 * np.sin(2 * np.pi * h / 24)
            + 100 * np.cos(2 * np.pi * h / 8766)
            + rng.normal(0, 20, len(h))
        )
    )
    ai = _hourly(lambda h: logistic(h / 8766.0, 600.0, 1.5, 2.0) * (1 + rng.normal(0, 0.01, len(h))))
    cap = _hourly(lambda h: np.full(len(h), 2500.0))
    return load, ai, cap


def test_outlook__rows_are_monthly_with_ordered_intervals(series):
    load, ai, cap = series
    out = monthly_outlook(load, ai, cap, "r", date(2026, 1, 1), months=24).outlook
    assert (
        len(out.rows) == 24
        and out.rows[0].month == date(2026, 1, 1)
        and out.rows[-1].month == date(2027, 12, 1)
    )
    for row in out.rows:
        assert row.grid_load_peak_p50 <= row.grid_load_peak_p90
        assert row.headroom["p10"] <= row.headroom["p50"] <= row.headroom["p90"]
        assert row.ai_demand["low"] <= row.ai_demand["base"] <= row.ai_demand["high"]
    assert 1100 < out.rows[0].grid_load_peak_p50 < 1500


def test_outlook__known_additions_raise_capacity_from_their_month(series):
    load, ai, cap = series
    additions = pl.DataFrame({S.REGION: ["r"], S.TS: [datetime(2026, 6, 15, tzinfo=UTC)], S.VALUE: [300.0]})
    rows = monthly_outlook(load, ai, cap, "r", date(2026, 1, 1), 12, additions=additions).outlook.rows
    assert [r.capacity for r in rows[:6]] == [2500.0] * 6 and rows[6].capacity == 2800.0


def test_outlook__needs_enough_history(series):
    load, ai, cap = series
    with pytest.raises(InsufficientHistoryError, match="complete month"):
        monthly_outlook(load.tail(24 * 60), ai, cap, "r", date(2026, 1, 1), 12)


def test_growth__recovers_the_ceiling_of_a_logistic_build_out():
    t = np.arange(36) / 12.0
    growth = AIDemandGrowth().fit(logistic(t, 600.0, 1.5, 1.5))
    assert growth.method == "logistic"
    assert growth.predict(120)[-1] == pytest.approx(600.0, rel=0.05)


def test_growth__empty_history_is_no_ai_demand():
    assert (AIDemandGrowth().fit(np.array([])).predict(3) == 0).all()


def test_scenarios__base_is_the_history_and_high_builds_more_per_mw_than_low():
    assert scenario_ratio(get_scenario("base")) == 1.0
    assert scenario_ratio(SCENARIOS["low"]) < 1.0 < scenario_ratio(SCENARIOS["high"])
    with pytest.raises(UnknownScenarioError, match="low, base, high"):
        get_scenario("extreme")
    with pytest.raises(ValueError, match="mix"):
        Scenario("bad", mix=(0.5, 0.5, 0.5))


def test_outlook__fast_growth_is_not_capped_silently(series):
    # A zone whose peak grows 13 %/yr (West Texas' fitted trend): the outlook follows it and says so.
    rng = np.random.default_rng(1)
    _, ai, cap = series
    load = _hourly(
        lambda h: 1000 * 1.13 ** (h / 8766.0) * (1 + 0.1 * np.sin(2 * np.pi * h / 24))
        + rng.normal(0, 10, len(h)),
        days=1095,
    )
    out = monthly_outlook(load, ai, cap, "r", date(2026, 1, 1), months=36).outlook
    growth = out.peak_growth
    assert growth.fitted_per_year == pytest.approx(0.13, abs=0.02)
    assert growth.bound_per_year >= 0.25 and growth.share_of_samples_at_bound == 0.0
    first, last = out.rows[0].grid_load_peak_p50, out.rows[-1].grid_load_peak_p50
    assert last / first > 1.12**2.9  # about three years of 13 %/yr, not 5 %/yr
