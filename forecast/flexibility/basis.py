"""Capacity basis `seasonal_peak`: a capacity-equivalent series from seasonal peak thresholds.

A region without a capacity series is given one: the summer threshold (highest Jun-Aug load) in
its local Apr-Oct months and the winter threshold (highest Dec-Feb load) in Nov-Mar, the same
rule the curtailment analysis uses. Headroom against it is then the margin below the region's
own historical seasonal peaks; every answer names which basis it used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from forecast.flexibility.cleaning import CleanLoad, clean_load
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


@dataclass(frozen=True)
class CapacityBases:
    """A capacity frame completed with seasonal-peak equivalents, each region's basis, and the
    regions given neither (with the reason)."""

    capacity: pl.DataFrame  # region, ts, value
    bases: dict[str, str]
    refused: dict[str, str]


def with_seasonal_peak(
    grid_load: pl.DataFrame, capacity: pl.DataFrame, timezones: Mapping[str, str], regions: Sequence[str]
) -> CapacityBases:
    """Each region's capacity series where it has one (`capacity_series`); otherwise the seasonal
    thresholds of its whole local years of grid_load, at its grid_load stamps (`seasonal_peak`).

    A region with neither a capacity series nor one whole local year of load is refused with the
    reason; its capacity stays empty.
    """
    have = set(capacity[S.REGION].unique().to_list())
    bases, refused, added = {}, {}, []
    for region in regions:
        if region in have:
            bases[region] = CAPACITY_SERIES
            continue
        zone = timezones.get(region, "UTC")
        try:
            clean = clean_load(grid_load, region, zone)
            thresholds = thresholds_of(clean)
        except UserError as exc:  # no whole year, duplicated hours, a season never seen
            refused[region] = f"capacity has no series, and no seasonal-peak basis from grid_load: {exc}"
            continue
        own = grid_load.filter(pl.col(S.REGION) == region)[S.TS]
        added.append(seasonal_peak_capacity(thresholds, region, own, zone))
        bases[region] = SEASONAL_PEAK
    frame = capacity.select(S.REGION, S.TS, S.VALUE)
    if added:
        frame = pl.concat([frame, *(a.select(frame.columns).cast(frame.schema) for a in added)])
    return CapacityBases(frame, bases, refused)


def seasonal_peak_monthly(
    grid_load: pl.DataFrame, region: str, timezone: str, start: date, months: int
) -> pl.DataFrame:
    """`region, ts, value` for the monthly outlook of a region without a capacity series: each of
    the `months` months from `start` gets its seasonal threshold, dated the day before it begins
    (the outlook holds the latest value dated before each month). Needs one whole local year."""
    thresholds = thresholds_of(clean_load(grid_load, region, timezone))
    first = date(start.year, start.month, 1)
    starts = [date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
              for k in range(months + 1)]
    stamps = [datetime(m.year, m.month, m.day, tzinfo=UTC) - timedelta(days=1) for m in starts]
    return pl.DataFrame({
        S.REGION: [region] * len(starts),
        S.TS: pl.Series(stamps).cast(S.UTC_TS),
        S.VALUE: seasonal_peak_months(thresholds, starts).astype(float),
    })
