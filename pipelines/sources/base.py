"""What every adapter returns, the error for a file it cannot read, and shared parsing helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.catalog import Region
from forecast.errors import UserError
from pipelines.validation import RegionMap
from pipelines.validation.checks import IDENT, ROW

Catalog = Mapping[str, Region]


class SourceFormatError(UserError, ValueError):
    """A file is not in the layout its adapter reads; says what was expected and what was found."""

    def __init__(self, path: str | Path, expected: str, found: str) -> None:
        self.path, self.expected, self.found = str(path), expected, found
        super().__init__(f"{Path(path).name}: expected {expected}; found {found}")


@dataclass(frozen=True)
class Adapted:
    """An adapter's rows (the validation contract) and how its identifiers map to regions."""

    frame: pl.LazyFrame
    regions: RegionMap
    source: str


LINE = "line"


def with_row(frame: pl.DataFrame | pl.LazyFrame, name: str = ROW) -> pl.LazyFrame:
    """Number rows 1, 2, ... (`row` is unique in a batch; a wide file's `line` is its data row)."""
    return frame.lazy().with_row_index(name, offset=1).with_columns(pl.col(name).cast(pl.Int64))


# ISO 8601 layouts tried on a sample of a text column; the first that reads most of it is used
# for the whole column, and a row in another layout is quarantined as malformed_ts.
AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z")
NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M",
                 "%Y-%m-%d %H:%M", "%Y-%m-%d")


def iso_format(sample: pl.Series) -> tuple[str, bool]:
    """(format, has_offset) that parses most of a sample of ISO 8601 stamps."""
    best, hits = (NAIVE_FORMATS[0], False), -1
    for formats, aware in ((AWARE_FORMATS, True), (NAIVE_FORMATS, False)):
        for fmt in formats:
            parsed = sample.str.strptime(pl.Datetime("us"), fmt, strict=False) if not aware else (
                sample.str.to_datetime(fmt, strict=False, time_zone="UTC", time_unit="us")
            )
            if parsed.count() > hits:
                best, hits = (fmt, aware), parsed.count()
    return best


def parse_utc(text: pl.Expr, fmt: str, aware: bool) -> pl.Expr:
    """ISO 8601 text to UTC; an offset is honoured, a stamp without one is read as UTC."""
    if aware:
        return text.str.to_datetime(fmt, strict=False, time_zone="UTC", time_unit="us").cast(S.UTC_TS)
    naive = text.str.to_datetime(fmt, strict=False, time_unit="us")
    return naive.dt.replace_time_zone("UTC").cast(S.UTC_TS)


def as_utc(column: pl.Expr, dtype: pl.DataType, sample: pl.Series | None = None) -> pl.Expr:
    """A timestamp column of any type (text, naive or aware datetime) as UTC."""
    if dtype == pl.String:
        fmt, aware = iso_format(sample if sample is not None else pl.Series([], dtype=pl.String))
        return parse_utc(column, fmt, aware)
    if isinstance(dtype, pl.Datetime):
        utc = column if dtype.time_zone else column.dt.replace_time_zone("UTC")
        return utc.dt.convert_time_zone("UTC").cast(S.UTC_TS)
    if dtype == pl.Date:
        return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return pl.lit(None, dtype=S.UTC_TS)


def melt_wide(
    frame: pl.LazyFrame, keep: list[str], value_columns: list[str], ident_of: Mapping[str, str]
) -> pl.LazyFrame:
    """Wide columns (one per area) to long rows with `ident`, numbered `row`; `raw` keeps the line.

    One value is one row read: a wide line with eight areas is eight rows, each quarantined
    alone; `raw` carries the source `line` number and the whole line.
    """
    raw = pl.struct([LINE, *keep, *value_columns]).alias("raw")
    long = (
        with_row(frame, LINE)
        .with_columns(raw)
        .unpivot(index=[*keep, "raw"], on=value_columns, variable_name=IDENT, value_name=S.VALUE)
        .with_columns(pl.col(IDENT).replace_strict(dict(ident_of), default=pl.col(IDENT)))
    )
    return with_row(long)


def day_ahead_issue(ts: pl.Expr, timezone: str, hour: int) -> pl.Expr:
    """Issue time of a day-ahead forecast: `hour`:00 local on the day before the target's local day."""
    local_day = ts.dt.convert_time_zone(timezone).dt.truncate("1d").dt.replace_time_zone(None)
    issued = local_day - pl.duration(days=1) + pl.duration(hours=hour)
    local = issued.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    return local.dt.convert_time_zone("UTC").cast(S.UTC_TS)


def region_timezones(ident: pl.Expr, regions: RegionMap, catalog: Catalog) -> list[tuple[pl.Expr, str]]:
    """(condition, timezone) pairs: rows whose identifier maps to a region of that timezone."""
    by_tz: dict[str, list[str]] = {}
    for name, region_id in regions.mapping.items():
        by_tz.setdefault(catalog[region_id].timezone, []).append(name)
    pairs = [(ident.is_in(names), tz) for tz, names in by_tz.items()]
    if regions.override is not None:
        pairs.append((pl.lit(True), catalog[regions.override].timezone))
    return pairs


def local_issue(ts: pl.Expr, ident: pl.Expr, regions: RegionMap, catalog: Catalog, hour: int) -> pl.Expr:
    """`day_ahead_issue` in each row's region timezone (UTC for rows of unknown region)."""
    expr = day_ahead_issue(ts, "UTC", hour)
    for condition, tz in reversed(region_timezones(ident, regions, catalog)):
        expr = pl.when(condition).then(day_ahead_issue(ts, tz, hour)).otherwise(expr)
    return expr
