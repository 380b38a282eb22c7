"""ERCOT native load by weather zone (the yearly `Native_Load_YYYY.xlsx` report, or its CSV).

`Hour Ending` is Central Prevailing Time, hour ending, `MM/DD/YYYY HH:MM` with `24:00` for
midnight and the repeated autumn hour marked `02:00 DST`. Some years hold Excel datetimes
instead (2016, with float jitter of a few milliseconds, and a stray cell in 2022): those are
rounded to the minute, and a repeated label without a marker is read in file order. Zone
columns were renamed after 2016 (FAR_WEST -> FWEST, NORTH_C -> NCENT, SOUTHERN -> SOUTH,
SOUTH_C -> SCENT); the `ERCOT` column is the system total. Zones map through
`ercot_weather_zone` in the catalog.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecast import schema as S
from pipelines.sources.base import Adapted, Catalog, SourceFormatError, melt_wide
from pipelines.validation import source_map
from pipelines.validation.checks import PROBLEM
from pipelines.validation.localtime import occurrence, to_utc, ts_problem

TIMEZONE = "America/Chicago"
OLD_NAMES = {"FAR_WEST": "FWEST", "NORTH_C": "NCENT", "SOUTHERN": "SOUTH", "SOUTH_C": "SCENT"}
ZONES = ("COAST", "EAST", "FWEST", "NORTH", "NCENT", "SOUTH", "SCENT", "WEST", "ERCOT")
LABEL = "Hour Ending"


def _read(path: Path) -> pl.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls"):
        frame = pl.read_excel(path, engine="calamine")
    else:
        frame = pl.read_csv(path, infer_schema=False)
    if LABEL not in frame.columns:
        raise SourceFormatError(path, f"an ERCOT native load report with a '{LABEL}' column",
                                f"columns {frame.columns}")
    return frame


def _label_parts(frame: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """(naive hour-ending stamp, marked-as-repeated flag) of the Hour Ending column."""
    label = pl.col(LABEL)
    if isinstance(frame.schema[LABEL], pl.Datetime):
        return label.cast(pl.Datetime("us")).dt.round("1m"), pl.lit(False)
    text = label.cast(pl.String).str.strip_chars()
    marked = text.str.ends_with("DST")
    core = text.str.replace(r"\s*DST$", "")
    midnight = core.str.contains(" 24:00")
    day_text = core.str.replace(" 24:00", " 00:00")
    parsed = pl.coalesce(
        day_text.str.to_datetime("%m/%d/%Y %H:%M", strict=False, time_unit="us"),
        # The stray Excel-typed cell arrives as ISO text.
        day_text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us").dt.round("1m"),
    )
    naive = pl.when(midnight).then(parsed + pl.duration(days=1)).otherwise(parsed)
    return naive, marked


def read_ercot(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A native load report (.xlsx or .csv)."""
    frame = _read(path)
    naive, marked = _label_parts(frame)
    values = [c for c in frame.columns if c != LABEL]
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in values)
    occ = pl.when(pl.col("_marked")).then(pl.lit(1, pl.UInt32)).otherwise(occurrence(pl.col("_local")))
    prepared = (
        frame.lazy()
        .with_columns(naive.alias("_local"), marked.alias("_marked"))
        .with_columns(occ.alias("_occ"))
        .with_columns(to_utc(pl.col("_local"), TIMEZONE, pl.col("_occ"), hour_ending=True).alias(S.TS))
        .with_columns(ts_problem(pl.col("_local"), pl.col(S.TS)).alias(PROBLEM))
        .with_columns(pl.col(LABEL).cast(pl.String))
    )
    long = melt_wide(prepared, [LABEL, S.TS, PROBLEM], values, OLD_NAMES).with_columns(
        pl.lit(S.GRID_LOAD).alias(S.SERIES), pl.lit("MW").alias(S.UNIT)
    )
    return Adapted(long, source_map(catalog, ("ercot_weather_zone",), region), f"ercot:{path.name}")
