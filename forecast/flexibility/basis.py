"""Capacity basis `seasonal_peak`: a capacity-equivalent series from seasonal peak thresholds.

A region without a capacity series is given one: the summer threshold (highest Jun-Aug load) in
its local Apr-Oct months and the winter threshold (highest Dec-Feb load) in Nov-Mar, the same
rule the curtailment analysis uses. Headroom against it is then the margin below the region's
own historical seasonal peaks; every answer names which basis it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.flexibility.cleaning import CleanLoad
from forecast.flexibility.curtailment import Thresholds, seasonal_thresholds

SEASONAL_PEAK = "seasonal_peak"
CAPACITY_SERIES = "capacity_series"
BASES = (CAPACITY_SERIES, SEASONAL_PEAK)


def thresholds_of(clean: CleanLoad) -> Thresholds:
    """Seasonal thresholds of cleaned load."""
    load, _, month, _ = clean.arrays()
    return seasonal_thresholds(load, month)


def seasonal_peak_capacity(
    thresholds: Thresholds, region: str, ts: pl.Series, timezone: str
) -> pl.DataFrame:
    """`region, ts, value`: the seasonal threshold in force at each UTC stamp (local month decides)."""
    stamps = ts.cast(S.UTC_TS)
    month = stamps.dt.convert_time_zone(timezone).dt.month().to_numpy()
    return pl.DataFrame({
        S.REGION: pl.Series([region] * len(stamps), dtype=pl.String),
        S.TS: stamps,
        S.VALUE: thresholds.per_hour(month),
    })


def seasonal_peak_months(thresholds: Thresholds, month_starts: Sequence[date]) -> np.ndarray:
    """The seasonal threshold of each month (first days of local months), e.g. the outlook's months."""
    return thresholds.per_hour(np.array([m.month for m in month_starts]))
