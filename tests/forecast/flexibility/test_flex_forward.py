"""Forward bands: reproduce history when the samples are history, fall with AI demand, and backtest."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from forecast.flexibility import (
    NoWholeYearError,
    OutlookSamples,
    SampleShapeError,
    backtest_year,
    clean_load,
    forward_flexibility,
    headroom_mw,
    seasonal_thresholds,
    year_headroom_samples,
)
from forecast.flexibility.backtest import monthly_peaks
from forecast.planning.outlook import OutlookParams
from tests.forecast.flexibility.conftest import TZ

LIMITS = (0.25, 0.5, 1.0, 5.0)


@pytest.fixture
def one_year(three_years: pl.DataFrame):
    return clean_load(three_years, "r1", TZ, years=(2021, 2021))


def test_year__samples_equal_to_history_give_the_historical_headroom(one_year) -> None:
    load, year, month, _ = one_year.arrays()
    peaks = np.tile(monthly_peaks(one_year)["value"].to_numpy(), (3, 1))
    got = year_headroom_samples(one_year, peaks, np.zeros_like(peaks), None, LIMITS)
    expected = headroom_mw(load, seasonal_thresholds(load, month).per_hour(month), year, LIMITS)
    np.testing.assert_allclose(got, np.tile(expected, (3, 1)), rtol=1e-12)


def test_year__ai_on_top_of_capacity_raised_by_as_much_changes_nothing(one_year) -> None:
    load, _, month, _ = one_year.arrays()
    t = seasonal_thresholds(load, month)
    peaks = np.tile(monthly_peaks(one_year)["value"].to_numpy(), (2, 1))
    ai = np.full_like(peaks, 150.0)
    capacity = np.tile(t.per_hour(np.arange(1, 13)), (2, 1)) + ai
    base = year_headroom_samples(one_year, peaks, np.zeros_like(peaks), None, LIMITS)
    shifted = year_headroom_samples(one_year, peaks, ai, capacity, LIMITS)
    np.testing.assert_allclose(shifted, base, rtol=1e-9)


def test_forward__band_per_scenario_year_limit_and_falls_with_ai(three_years: pl.DataFrame) -> None:
    clean = clean_load(three_years, "r1", TZ)
    months = tuple(date(2025 + i // 12, i % 12 + 1, 1) for i in range(30))  # 2025, 2026 whole; 2027 partial
    hist = monthly_peaks(clean).group_by(pl.col("month").dt.month().alias("m")).agg(pl.col("value").median())
    by_month = dict(hist.iter_rows())
    rng = np.random.default_rng(0)
    peaks = np.array([by_month[m.month] for m in months])[None, :] * rng.lognormal(0, 0.02, (60, 30))
    ai = {"low": np.zeros(30), "high": np.full((60, 30), 200.0)}
    band = forward_flexibility(clean, OutlookSamples(months, peaks, ai), LIMITS)
    assert band.height == 2 * 2 * len(LIMITS)
    assert band["basis"].unique().to_list() == ["seasonal_peak"]
    assert (band["p10"] <= band["p50"]).all() and (band["p50"] <= band["p90"]).all()
    wide = band.pivot(on="scenario", index=["year", "limit_pct"], values="p50")
    assert (wide["high"] <= wide["low"]).all() and (wide["high"] < wide["low"]).any()


def test_forward__refuses_months_without_a_whole_year_and_misshaped_samples(one_year) -> None:
    months = tuple(date(2025, m, 1) for m in range(3, 13))
    with pytest.raises(NoWholeYearError):
        forward_flexibility(one_year, OutlookSamples(months, np.ones((2, 10)), {"base": np.zeros(10)}))
    with pytest.raises(SampleShapeError, match=r"ai_demand\[base\]"):
        OutlookSamples(months, np.ones((2, 10)), {"base": np.zeros(9)})


def test_backtest__band_for_a_year_from_the_years_before(three_years: pl.DataFrame) -> None:
    result = backtest_year(clean_load(three_years, "r1", TZ), 2022, LIMITS, OutlookParams(n_samples=100))
    assert result.year == 2022 and result.realised.shape == (4,)
    assert np.all(result.p10 <= result.p50) and np.all(result.p50 <= result.p90)
    assert result.bracketed.dtype == bool
    assert np.all(result.realised > 0)
