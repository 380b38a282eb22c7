"""Outlook backtest: origins years apart, P50 error and P10-P90 coverage against hand-worked figures."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.planning.outlook import add_months
from forecast.planning.peak_backtest import (
    NoOriginError,
    PeakBacktestParams,
    origins,
    outlook_backtest,
    score,
)

START = date(2018, 1, 1)


def hourly(monthly_peaks: list[float], region: str = "r") -> pl.DataFrame:
    """Hourly load flat within each month at that month's peak (so the monthly max is the peak)."""
    frames = []
    for k, peak in enumerate(monthly_peaks):
        m, n = add_months(START, k), add_months(START, k + 1)
        ts = pl.datetime_range(
            datetime(m.year, m.month, 1, tzinfo=UTC), datetime(n.year, n.month, 1, tzinfo=UTC),
            "1h", closed="left", eager=True, time_zone="UTC",
        )
        frames.append(pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: float(peak)}))
    return pl.concat(frames).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def test_origins__years_apart_from_the_history_needed_to_the_last_scoreable():
    months = [add_months(START, k) for k in range(60)]  # 2018-01 .. 2022-12
    assert origins(months, PeakBacktestParams()) == [date(2020, 1, 1), date(2021, 1, 1)]
    assert origins(months[:24], PeakBacktestParams()) == []


def test_score__coverage_and_error_by_hand():
    preds = pl.DataFrame(
        {
            S.REGION: "r", "origin": [date(2020, 1, 1)] * 4,
            "month": [date(2021, m, 1) for m in (1, 2, 3, 4)],
            "ahead": [12, 13, 24, 25], "p10": [90.0, 90, 90, 90], "p50": [100.0, 100, 100, 100],
            "p90": [110.0, 110, 110, 110], "actual": [100.0, 125, 80, 105],
        }
    )
    row = score(preds).filter(pl.col("ahead_months") == "12-35").row(0, named=True)
    errors = [0.0, -25 / 125, 20 / 80, -5 / 105]
    assert row["months"] == 4 and row["origins"] == 1
    assert row["p50_bias_pct"] == pytest.approx(100 * sum(errors) / 4)
    assert row["p50_abs_error_pct"] == pytest.approx(100 * sum(map(abs, errors)) / 4)
    assert row["coverage_p10_p90"] == 0.5  # 100 and 105 inside [90, 110]; 125 and 80 outside
    first = score(preds).filter(pl.col("ahead_months") == "12-23").row(0, named=True)
    assert first["months"] == 2 and first["coverage_p10_p90"] == 0.5


def test_outlook_backtest__known_trend_then_a_step_gives_the_step_as_error_and_no_coverage():
    # 5 %/yr exact trend for 2018-2019 (the history before the one origin, 2020-01); 2021 sits 10 %
    # above the trend. The fit is exact (no residual), so P10 = P50 = P90 = trend and the error of
    # every scored month (2021, 12-23 months ahead) is trend / (1.1 trend) - 1 = -9.09 %.
    def trend(k: int) -> float:
        return 1000.0 * math.exp(math.log(1.05) * (add_months(START, k) - START).days / 365.25)

    peaks = [trend(k) * (1.1 if k >= 36 else 1.0) for k in range(48)]
    preds, scores = outlook_backtest(hourly(peaks))
    assert preds["origin"].unique().to_list() == [date(2020, 1, 1)]
    assert preds["month"].to_list() == [date(2021, m, 1) for m in range(1, 13)]
    assert np.allclose(preds["p50"].to_numpy(), [trend(k) for k in range(36, 48)], rtol=1e-6)
    row = scores.filter(pl.col("ahead_months") == "12-35").row(0, named=True)
    assert row["p50_bias_pct"] == pytest.approx(100 * (1 / 1.1 - 1), abs=1e-3)
    assert row["p50_abs_error_pct"] == pytest.approx(100 * (1 - 1 / 1.1), abs=1e-3)
    assert row["coverage_p10_p90"] == 0.0


def test_outlook_backtest__a_noisy_series_is_mostly_covered_and_a_short_one_refused_by_name():
    rng = np.random.default_rng(3)
    peaks = list(1000 * np.exp(0.03 * np.arange(72) / 12 + 0.02 * rng.standard_normal(72)))
    _, scores = outlook_backtest(hourly(peaks))
    row = scores.filter(pl.col("ahead_months") == "12-35").row(0, named=True)
    assert row["origins"] == 3 and row["coverage_p10_p90"] >= 0.6 and row["p50_abs_error_pct"] < 5
    with pytest.raises(NoOriginError, match="'short'"):
        outlook_backtest(hourly(peaks[:30], "short"))
