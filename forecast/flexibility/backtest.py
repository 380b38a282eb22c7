"""Backtest of the forward band: history to year Y-1 predicts Y's headroom; does the band bracket it?

The band comes from forward.py with no AI demand and no capacity path: monthly peak samples for
Y from the outlook's peak model (forecast.planning.outlook.peak_samples) fitted on the local
monthly peaks of the history, the history's own hourly shapes, and the history's seasonal
thresholds. The realised headroom is Y's own hourly load measured against those same
thresholds, the quantity the band forecasts (a threshold taken from Y itself would move with Y's
peak and answer a different question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.flexibility.cleaning import MONTH, YEAR, CleanLoad
from forecast.flexibility.curtailment import DEFAULT_LIMITS_PCT, headroom_mw, seasonal_thresholds
from forecast.flexibility.forward import year_headroom_samples
from forecast.planning.outlook import OutlookParams, peak_samples


@dataclass(frozen=True)
class BacktestYear:
    """Forward band for `year` from the years before it, and the headroom measured on it (MW)."""

    year: int
    limits_pct: tuple[float, ...]
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    realised: np.ndarray

    @property
    def bracketed(self) -> np.ndarray:
        """True per limit where p10 <= realised <= p90."""
        return (self.p10 <= self.realised) & (self.realised <= self.p90)


def split_year(clean: CleanLoad, year: int) -> tuple[CleanLoad, CleanLoad]:
    """(history before `year`, `year` alone) of cleaned load; filled hours recounted for each."""
    parts = []
    for keep in (pl.col(YEAR) < year, pl.col(YEAR) == year):
        hours = clean.hours.filter(keep)
        if hours.is_empty():
            raise ValueError(f"region {clean.region!r}: no whole year {'before' if len(parts) == 0 else ''} "
                             f"{year} in {clean.years}; choose a year with history before it")
        parts.append(CleanLoad(clean.region, clean.timezone, hours, int(hours["filled"].sum())))
    return parts[0], parts[1]


def monthly_peaks(clean: CleanLoad) -> pl.DataFrame:
    """`month` (first day, local) and `value` (peak MW) of each local month, oldest first."""
    return (
        clean.hours.group_by(YEAR, MONTH).agg(pl.col(S.VALUE).max())
        .sort(YEAR, MONTH)
        .select(pl.date(pl.col(YEAR), pl.col(MONTH), 1).alias("month"), S.VALUE)
    )


def backtest_year(
    clean: CleanLoad,
    year: int,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
    params: OutlookParams | None = None,
) -> BacktestYear:
    """Band for `year` from the whole years before it in `clean`, against the headroom measured on it."""
    params = params or OutlookParams(n_samples=200)
    history, realised = split_year(clean, year)
    load, _, month, _ = history.arrays()
    thresholds = seasonal_thresholds(load, month)
    future = [date(year, m, 1) for m in range(1, 13)]
    peaks = peak_samples(monthly_peaks(history), future, params, np.random.default_rng(params.seed))
    samples = year_headroom_samples(history, peaks, np.zeros_like(peaks), None, limits_pct, thresholds)
    p10, p50, p90 = np.quantile(samples, [0.1, 0.5, 0.9], axis=0)
    y_load, y_year, y_month, _ = realised.arrays()
    measured = headroom_mw(y_load, thresholds.per_hour(y_month), y_year, tuple(limits_pct))
    return BacktestYear(year, tuple(float(c) for c in limits_pct), p10, p50, p90, measured)
