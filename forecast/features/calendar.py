"""Calendar features of target hours in the region's local time, and its public holidays."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import holidays
import numpy as np
import polars as pl

from forecast import schema as S

CALENDAR_FEATURES = ("hour", "weekday", "month", "day_of_year", "holiday", "holiday_eve")


@functools.lru_cache(maxsize=256)
def holiday_dates(calendar_code: str, years: range) -> tuple:
    """Public holiday dates of a `holidays` calendar code such as `US-VA` or `NO` (cached: regions
    share calendars)."""
    country, _, subdiv = calendar_code.partition("-")
    return tuple(holidays.country_holidays(country, subdiv=subdiv or None, years=list(years)).keys())


def holiday_table(
    regions: Mapping[str, str], calendars: Mapping[str, str], years: range
) -> pl.DataFrame:
    """`region, date` of every public holiday; `regions` maps region -> timezone, `calendars` -> code.

    A region without a calendar code simply has no holidays.
    """
    rows = [
        (region, day)
        for region in regions
        if calendars.get(region)
        for day in holiday_dates(calendars[region], years)
    ]
    return pl.DataFrame(
        {S.REGION: [r for r, _ in rows], "date": [d for _, d in rows]},
        schema={S.REGION: pl.String, "date": pl.Date},
    )


def holiday_flags(
    design: pl.DataFrame, timezones: Mapping[str, str], calendars: Mapping[str, str], ts: str = S.TS
) -> pl.Series:
    """True where `ts` falls on a public holiday of the row's region, in the region's local time."""
    flags = add_calendar(design.select(S.REGION, ts), timezones, calendars, ts)["holiday"] == 1
    return flags.alias("holiday")


def add_calendar(
    design: pl.DataFrame,
    timezones: Mapping[str, str],
    calendars: Mapping[str, str],
    ts: str = S.TS,
) -> pl.DataFrame:
    """Adds local hour, weekday, month, day of year, holiday and holiday-eve flags for column `ts`.

    Local time comes from each region's timezone (UTC when unknown): load follows local clocks.
    """
    if design.is_empty():
        return design.with_columns(pl.lit(0).alias(c) for c in CALENDAR_FEATURES)
    years = range(design[ts].dt.year().min() - 1, design[ts].dt.year().max() + 2)
    hol = holiday_table(timezones, calendars, years).with_columns(pl.lit(1).alias("holiday"))
    eve = hol.with_columns(pl.col("date") - pl.duration(days=1)).rename({"holiday": "holiday_eve"})
    return (
        design.with_columns(_local_naive(design, timezones, ts).alias("_local"))
        .with_columns(pl.col("_local").dt.date().alias("date"))
        .join(hol, on=[S.REGION, "date"], how="left")
        .join(eve.unique([S.REGION, "date"]), on=[S.REGION, "date"], how="left")
        .with_columns(
            pl.col("_local").dt.hour().alias("hour"),
            pl.col("_local").dt.weekday().alias("weekday"),
            pl.col("_local").dt.month().alias("month"),
            pl.col("_local").dt.ordinal_day().alias("day_of_year"),
            pl.col("holiday").fill_null(0),
            pl.col("holiday_eve").fill_null(0),
        )
        .drop("_local", "date")
    )


def _local_naive(design: pl.DataFrame, timezones: Mapping[str, str], ts: str) -> pl.Series:
    """Local wall-clock time per row, converted once per distinct timezone over its own rows."""
    region = design[S.REGION]
    zones: dict[str, list[str]] = {}
    for r in region.unique().to_list():
        zones.setdefault(timezones.get(r, "UTC"), []).append(r)
    if len(zones) == 1:
        (tz,) = zones
        return design[ts].dt.convert_time_zone(tz).dt.replace_time_zone(None).alias("_local")
    out = np.zeros(design.height, dtype="datetime64[us]")
    for tz, members in zones.items():
        rows = np.flatnonzero(region.is_in(members).to_numpy())
        local = design[ts].gather(rows).dt.convert_time_zone(tz).dt.replace_time_zone(None)
        out[rows] = local.to_numpy()
    return pl.Series("_local", out, dtype=pl.Datetime("us"))
