"""Forecast hours shown in a region's local time beside UTC (display only; time is UTC inside)."""

from __future__ import annotations

import polars as pl

from forecast import schema as S

TS_LOCAL = "ts_local"
ISO_WITH_OFFSET = "%Y-%m-%dT%H:%M:%S%:z"


def local_iso(ts: pl.Expr, timezone: str) -> pl.Expr:
    """UTC instants as ISO 8601 wall-clock text of `timezone` with its offset (2026-03-29T03:00:00+02:00)."""
    return ts.dt.convert_time_zone(timezone).dt.strftime(ISO_WITH_OFFSET)


def with_local_time(frame: pl.DataFrame, timezone: str | None) -> pl.DataFrame:
    """`frame` with `ts_local` (the region's local time of `ts`) after `ts`; unchanged without a zone."""
    if timezone is None:
        return frame
    local = frame.with_columns(local_iso(pl.col(S.TS), timezone).alias(TS_LOCAL))
    at = local.columns.index(S.TS) + 1
    return local.select([*local.columns[:at], TS_LOCAL, *local.columns[at:-1]])
