"""The real series in ../shared/data/long and the year-spread forecast origins the benchmarks score.

Every series is scored at the same origins relative to its own last observed hour: origin k is
`k * spacing` days before the newest one (k = 0), which leaves a week after it for horizon 168.
The newest `per_year` origins form the TEST year (only reported); the `per_year` before them the
VALIDATION year (every choice is made there). With 13 origins 29 days apart a year holds every
season, and the weekday moves by one from one origin to the next (29 = 4 x 7 + 1), so seven
consecutive origins visit every weekday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from forecast import schema as S

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
LONG = SHARED / "long"
VALIDATION, TEST = "validation", "test"


@dataclass(frozen=True)
class Series:
    """One real series: the file it is in, the holiday calendar and time zone of the place."""

    file: str
    calendar: str
    timezone: str


_EIA = "eia930_dom_fwest_west_pjm_erco_2015_2023.csv"
_ERCOT = "ercot_native_load_weather_zones_2016_2024.csv"
_NORDPOOL = "nordpool_no_areas_2013_2020.csv"
SERIES: dict[str, Series] = {
    "EIA930_PJM": Series(_EIA, "US-VA", "America/New_York"),
    "EIA930_PJM-DOM": Series(_EIA, "US-VA", "America/New_York"),
    "EIA930_ERCO": Series(_EIA, "US-TX", "America/Chicago"),
    "EIA930_ERCO-FWES": Series(_EIA, "US-TX", "America/Chicago"),
    "EIA930_ERCO-WEST": Series(_EIA, "US-TX", "America/Chicago"),
    "ENTSOE_DE-LU": Series("entsoe_de_lu_2019_2021.csv", "DE-HE", "Europe/Berlin"),
    "PJM_DOM_kaggle": Series("pjm_dom_kaggle_2005_2018.csv", "US-VA", "America/New_York"),
    **{
        f"ERCOT_{z}": Series(_ERCOT, "US-TX", "America/Chicago")
        for z in ("COAST", "EAST", "ERCOT", "FWEST", "NCENT", "NORTH", "SCENT", "SOUTH", "WEST")
    },
    **{
        f"NORDPOOL_{a}": Series(_NORDPOOL, "NO", "Europe/Oslo")
        for a in ("NO", "NO1", "NO2", "NO3", "NO4", "NO5")
    },
}


def calendars(names) -> dict[str, str]:
    return {n: SERIES[n].calendar for n in names}


def timezones(names) -> dict[str, str]:
    return {n: SERIES[n].timezone for n in names}


def read_series(names) -> pl.DataFrame:
    """`region, ts, value` of the named series as published (missing hours keep a null value)."""
    frames = []
    by_file: dict[str, list[str]] = {}
    for name in names:
        by_file.setdefault(SERIES[name].file, []).append(name)
    for file, wanted in by_file.items():
        frames.append(
            pl.scan_csv(LONG / file, try_parse_dates=True)
            .filter(pl.col(S.REGION).is_in(wanted))
            .select(S.REGION, pl.col(S.TS).cast(S.UTC_TS), pl.col("load_mw").cast(pl.Float64).alias(S.VALUE))
            .collect()
        )
    return pl.concat(frames).sort(S.REGION, S.TS)


@dataclass(frozen=True)
class Plan:
    """Origins per year: `per_year` of them `spacing_days` apart, the newest `tail_hours` before the end."""

    per_year: int = 13
    spacing_days: int = 29
    tail_hours: int = 168

    def cutoffs(self, data: pl.DataFrame, years: tuple[str, ...] = (VALIDATION, TEST)) -> pl.DataFrame:
        """`region, year, k, cutoff` (k = 0 newest) for every series of `data` (hours with a value)."""
        rows = []
        last = data.drop_nulls(S.VALUE).group_by(S.REGION).agg(pl.col(S.TS).max())
        for region, end in last.iter_rows():
            newest = end - timedelta(hours=self.tail_hours)
            for year_index, year in enumerate((TEST, VALIDATION)):
                if year not in years:
                    continue
                for j in range(self.per_year):
                    k = year_index * self.per_year + j
                    rows.append((region, year, k, newest - timedelta(days=self.spacing_days * k)))
        return pl.DataFrame(
            rows,
            schema={S.REGION: pl.String, "year": pl.String, "k": pl.Int64, S.CUTOFF: S.UTC_TS},
            orient="row",
        ).sort(S.REGION, "k")


def consecutive_cutoffs(data: pl.DataFrame, folds: int = 7, horizon: int = 24) -> pl.DataFrame:
    """The old design (extra): `folds` origins a day apart, the newest `horizon` hours before the end."""
    rows = []
    last = data.drop_nulls(S.VALUE).group_by(S.REGION).agg(pl.col(S.TS).max())
    for region, end in last.iter_rows():
        for k in range(folds):
            rows.append((region, TEST, k, end - timedelta(hours=horizon + 24 * k)))
    return pl.DataFrame(
        rows,
        schema={S.REGION: pl.String, "year": pl.String, "k": pl.Int64, S.CUTOFF: S.UTC_TS},
        orient="row",
    ).sort(S.REGION, "k")


def train_rows(data: pl.DataFrame, cutoffs: pl.DataFrame, hours: int) -> pl.DataFrame:
    """The `hours` before each region's cutoff (`cutoffs`: one row per region), published values."""
    return (
        data.join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)
        .filter(
            (pl.col(S.TS) <= pl.col(S.CUTOFF)) & (pl.col(S.TS) > pl.col(S.CUTOFF) - pl.duration(hours=hours))
        )
        .drop(S.CUTOFF)
    )


def test_rows(data: pl.DataFrame, cutoffs: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """`region, cutoff, ts, y`: the observed hours 1..horizon after each region's cutoff."""
    return (
        data.join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)
        .filter(
            (pl.col(S.TS) > pl.col(S.CUTOFF))
            & (pl.col(S.TS) <= pl.col(S.CUTOFF) + pl.duration(hours=horizon))
        )
        .drop_nulls(S.VALUE)
        .select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias("y"))
    )


def first_needed(cutoffs: pl.DataFrame, history_hours: int) -> dict[str, datetime]:
    """Per region, the first hour any fold trains on."""
    return {
        r: c - timedelta(hours=history_hours)
        for r, c in cutoffs.group_by(S.REGION).agg(pl.col(S.CUTOFF).min()).iter_rows()
    }
