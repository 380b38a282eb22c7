"""Operators' own day-ahead load forecasts, read from the raw files in ../shared/data/raw.

ENTSO-E DE-LU ('Day-ahead Total Load Forecast', quarter-hours in CET/CEST, averaged per UTC hour)
and the EIA-930 balancing authorities PJM and ERCO ('forecast demand (MW)', UTC hour ending). Rows
are `region, ts, value` with `ts` the start of the hour in UTC, the convention of ../data/long; the
region names are those of the long files so they join with the actuals.
"""

from __future__ import annotations

import polars as pl
from realdata import SHARED

from forecast import schema as S

RAW = SHARED / "raw"
ENTSOE_COLUMN = "Day-ahead Total Load Forecast [MW] - BZN|DE-LU"
OPERATOR_SERIES = ("ENTSOE_DE-LU", "EIA930_PJM", "EIA930_ERCO")


def entsoe_day_ahead() -> pl.DataFrame:
    frames = []
    for path in sorted((RAW / "entsoe").glob("Total_Load_DayAhead_Actual_DE-LU_*.csv")):
        raw = pl.read_csv(path, infer_schema_length=0)
        label = raw["Time (CET/CEST)"].str.slice(0, 16)
        local = pl.Series(label).str.strptime(pl.Datetime("us"), "%d.%m.%Y %H:%M")
        # the repeated fall-back hour is listed twice: first in summer time, then in winter time
        repeat = pl.DataFrame({"l": label}).select(pl.int_range(pl.len()).over("l").alias("n"))["n"]
        frames.append(
            pl.DataFrame(
                {
                    "local": local,
                    "ambiguous": pl.Series(["earliest", "latest"]).gather(repeat.clip(0, 1)),
                    S.VALUE: raw[ENTSOE_COLUMN].cast(pl.Float64, strict=False),
                }
            )
        )
    qh = pl.concat(frames).drop_nulls(S.VALUE)
    return (
        qh.with_columns(
            pl.col("local")
            .dt.replace_time_zone("Europe/Berlin", ambiguous=pl.col("ambiguous"), non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.truncate("1h")
            .cast(S.UTC_TS)
            .alias(S.TS)
        )
        .drop_nulls(S.TS)
        .group_by(S.TS)
        .agg(pl.col(S.VALUE).mean())
        .select(pl.lit("ENTSOE_DE-LU").alias(S.REGION), S.TS, S.VALUE)
        .sort(S.TS)
    )


def eia_day_ahead(ba: str) -> pl.DataFrame:
    raw = pl.read_csv(RAW / "eia930" / "ba_2015_2020" / f"{ba}.csv", infer_schema_length=0)
    return (
        raw.select(
            pl.lit(f"EIA930_{ba}").alias(S.REGION),
            (
                pl.col("date_time")
                .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S")
                .dt.replace_time_zone("UTC")
                - pl.duration(hours=1)
            )
            .cast(S.UTC_TS)
            .alias(S.TS),
            pl.col("forecast demand (MW)").cast(pl.Float64, strict=False).alias(S.VALUE),
        )
        .drop_nulls(S.VALUE)
        .filter(pl.col(S.VALUE) > 0)
        .sort(S.TS)
    )


def day_ahead_forecasts() -> pl.DataFrame:
    """`region, ts, value`: the operators' day-ahead forecasts of the three series."""
    return pl.concat([entsoe_day_ahead(), eia_day_ahead("PJM"), eia_day_ahead("ERCO")])
