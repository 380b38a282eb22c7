"""Hourly load of one region made whole: implausible values and gaps filled, cut to local calendar years.

The flexibility study (Norris et al., "Rethinking Load Growth", Nicholas Institute, Duke, 2025)
imputes missing and anomalous hours before taking seasonal peaks; a single spike would otherwise
set a threshold. The rule here, applied to the region's hourly values (UTC, one per hour):

1. Missing: an hour absent from the hourly index between the first and last stamp, or null/NaN.
2. Implausible (mirrors the ingest validation, pipelines/validation/checks.py and series.py):
   - not positive, or above `MAX_MW` (1e6 MW; no grid region is a terawatt);
   - outside [q01 / 4, q99 * 4] of the region's own values (`HISTORY_FACTOR`);
   - inside a run of >= 6 identical consecutive values (a flatline: a stuck meter or a fill);
   - a short excursion: more than `spike_tolerance` (20 %) away from the median of the
     `spike_window` (5) hours centred on it. A centred median follows any monotone ramp and sits
     within a few percent of a true peak, so real load passes; a one- or two-hour spike or dip
     (EIA-930 files carry values up to 2e9 MW and near 0) does not.
3. Missing and implausible hours are filled by linear interpolation in time (the edges by the
   nearest value) and counted.
4. Only whole calendar years in the region's local time (IANA zone) are kept: a year counts when
   the hourly index covers its first and last local hour. DST needs no special case: a local
   year is a span of UTC instants (8760 or 8784 of them), labelled with its local month and hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.errors import UserError

MAX_MW = 1_000_000.0
HISTORY_FACTOR = 4.0
FLATLINE_HOURS = 6
YEAR, MONTH, HOUR, FILLED = "year", "month", "hour", "filled"


@dataclass(frozen=True)
class CleaningParams:
    """The implausibility rule; defaults as documented in the module docstring."""

    max_mw: float = field(default=MAX_MW, metadata={"description": "Values above this (MW) are errors."})
    history_factor: float = field(
        default=HISTORY_FACTOR,
        metadata={"description": "Plausible range [q01 / f, q99 * f] of the region's values."},
    )
    flatline_hours: int = field(
        default=FLATLINE_HOURS, metadata={"description": "Runs of this many equal values are a flatline."}
    )
    spike_window: int = field(
        default=5, metadata={"description": "Hours in the centred median a value is compared with (odd)."}
    )
    spike_tolerance: float = field(
        default=0.2, metadata={"description": "Largest relative distance from that median still plausible."}
    )


class InsufficientYearsError(UserError, ValueError):
    """A region whose hourly load covers less than one whole local calendar year."""

    def __init__(self, region: str, hours: int, timezone: str, years: tuple[int, int] | None = None) -> None:
        self.region, self.hours, self.timezone, self.years = region, hours, timezone, years
        within = f" within years {years[0]}-{years[1]}" if years else ""
        super().__init__(
            f"region {region!r} has {hours} hour(s) of load ({hours / 8760:.2f} years) but no whole "
            f"calendar year in {timezone}{within}; the flexibility analysis needs at least one "
            "(ingest more history or widen the years)"
        )


class DuplicateHoursError(UserError, ValueError):
    """The same region and hour appear more than once."""

    def __init__(self, region: str, count: int) -> None:
        self.region, self.count = region, count
        super().__init__(
            f"region {region!r} has {count} duplicated hour(s); pass one value per hour (aggregate first)"
        )


@dataclass(frozen=True)
class CleanLoad:
    """Whole local years of one region's hourly load: `ts` (UTC), value, year, month, hour, filled."""

    region: str
    timezone: str
    hours: pl.DataFrame
    filled_hours: int

    @property
    def years(self) -> tuple[int, int]:
        """First and last local calendar year kept."""
        return int(self.hours[YEAR].min()), int(self.hours[YEAR].max())

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(load MW, local year, local month 1-12, local hour 0-23) as numpy arrays."""
        h = self.hours
        return (
            h[S.VALUE].to_numpy(), h[YEAR].to_numpy(), h[MONTH].to_numpy(), h[HOUR].to_numpy()
        )


def _run_lengths(values: pl.Series) -> pl.Series:
    """Length of the run of equal consecutive values each position belongs to (nulls end runs)."""
    i = pl.int_range(pl.len())
    same = (pl.col("v") == pl.col("v").shift()).fill_null(False)
    start = pl.when(~same).then(i).forward_fill()
    last = ~same.shift(-1, fill_value=False)
    return pl.DataFrame({"v": values}).select(
        pl.when(last).then(i - start + 1).backward_fill()
    ).to_series()


def implausible(values: pl.Series, params: CleaningParams) -> pl.Series:
    """True where a value (hourly, in time order, null for missing) is missing or breaks the rule."""
    values = values.cast(pl.Float64).fill_nan(None)
    basic = ((values <= 0) | (values > params.max_mw)).fill_null(False)
    usable = pl.DataFrame({"v": values}).select(
        pl.when(basic).then(None).otherwise(pl.col("v")).alias("v")
    )
    v = pl.col("v")
    med = v.rolling_median(params.spike_window, center=True, min_samples=1)
    flags = usable.select(
        ((v < v.quantile(0.01) / params.history_factor) | (v > v.quantile(0.99) * params.history_factor))
        .fill_null(False).alias("range"),
        ((v / med - 1).abs() > params.spike_tolerance).fill_null(False).alias("spike"),
    )
    flat = _run_lengths(usable["v"]) >= params.flatline_hours
    return (values.is_null() | basic | flags["range"] | flags["spike"] | flat).alias("implausible")


def _local_year_bounds(year: int, timezone: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight on 1 January of `year` and of the next year."""
    zone = ZoneInfo(timezone)
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def clean_load(
    frame: pl.DataFrame,
    region: str,
    timezone: str,
    years: tuple[int, int] | None = None,
    params: CleaningParams | None = None,
) -> CleanLoad:
    """One region's hourly load (`region, ts, value`, ts UTC) as whole local years, gaps filled."""
    params = params or CleaningParams()
    S.require_columns(frame, (S.REGION, S.TS, S.VALUE), "clean_load")
    own = (
        frame.filter(pl.col(S.REGION) == region)
        .select(pl.col(S.TS).cast(S.UTC_TS).dt.truncate("1h"), pl.col(S.VALUE).cast(pl.Float64))
        .drop_nulls(S.TS)
        .sort(S.TS)
    )
    if own.height == 0:
        raise InsufficientYearsError(region, 0, timezone, years)
    dup = own.height - own[S.TS].n_unique()
    if dup:
        raise DuplicateHoursError(region, dup)
    index = pl.datetime_range(own[S.TS][0], own[S.TS][-1], "1h", time_zone="UTC", eager=True)
    full = pl.DataFrame({S.TS: index.cast(S.UTC_TS)}).join(own, on=S.TS, how="left")
    bad = implausible(full[S.VALUE], params)
    first_local = own[S.TS][0].astimezone(ZoneInfo(timezone))
    last_local = own[S.TS][-1].astimezone(ZoneInfo(timezone))
    start_year = first_local.year if (first_local.month, first_local.day, first_local.hour) == (1, 1, 0) \
        else first_local.year + 1
    end_year = last_local.year if (last_local.month, last_local.day, last_local.hour) == (12, 31, 23) \
        else last_local.year - 1
    if years is not None:
        start_year, end_year = max(start_year, years[0]), min(end_year, years[1])
    if start_year > end_year:
        raise InsufficientYearsError(region, own.height, timezone, years)
    lo, _ = _local_year_bounds(start_year, timezone)
    _, hi = _local_year_bounds(end_year, timezone)
    local = pl.col(S.TS).dt.convert_time_zone(timezone)
    hours = (
        full.with_columns(
            pl.when(bad).then(None).otherwise(pl.col(S.VALUE)).interpolate()
            .forward_fill().backward_fill().alias(S.VALUE),
            bad.alias(FILLED),
        )
        .filter((pl.col(S.TS) >= lo) & (pl.col(S.TS) < hi))
        .with_columns(
            local.dt.year().alias(YEAR), local.dt.month().alias(MONTH), local.dt.hour().alias(HOUR)
        )
        .select(S.TS, S.VALUE, YEAR, MONTH, HOUR, FILLED)
    )
    return CleanLoad(region, timezone, hours, int(hours[FILLED].sum()))
