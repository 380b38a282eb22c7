"""PJM hourly load: Data Miner metered load and the widely shared per-zone `<ZONE>_hourly.csv`.

- Data Miner `hrl_load_metered`: `datetime_beginning_utc` (`1/1/2023 5:00:00 AM`, hour
  beginning, UTC), `zone`, `load_area`, `mw`; the zone maps through `pjm_zone` in the catalog.
  A zone with several load areas (AEP: AEPAPT, AEPIMP, AEPKPT, AEPOPT) is their sum: each load
  area is a `part` that validation adds up; an hour missing one of the zone's load areas is
  quarantined as `incomplete_parts` (its sum would understate the zone's load).
- `<ZONE>_hourly.csv`: `Datetime, <ZONE>_MW` (or `ds, y` in some copies), Eastern local time,
  hour ending, rows not sorted. The repeated autumn hour is read in file order (first = EDT);
  a missing hour is simply absent. The zone comes from the column or the file name.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecast import schema as S
from pipelines.sources.base import Adapted, Catalog, SourceFormatError, with_row
from pipelines.validation import source_map
from pipelines.validation.checks import IDENT, PART, PROBLEM, RAW
from pipelines.validation.localtime import occurrence, to_utc, ts_problem

TIMEZONE = "America/New_York"


def _zone_source(catalog: Catalog, region: str | None):
    return source_map(catalog, ("pjm_zone",), region)


def read_pjm_csv(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A Data Miner metered-load CSV or a per-zone hourly CSV."""
    frame = pl.scan_csv(path, infer_schema=False)
    names = frame.collect_schema().names()
    lowered = {n.lower(): n for n in names}
    if {"datetime_beginning_utc", "zone", "mw"} <= lowered.keys():
        ts = pl.col(lowered["datetime_beginning_utc"]).str.strip_chars().str.to_datetime(
            "%m/%d/%Y %I:%M:%S %p", strict=False, time_unit="us"
        ).dt.replace_time_zone("UTC")
        # A zone's load is the sum of its load areas (AEP: AEPAPT, AEPIMP, AEPKPT, AEPOPT).
        part = [pl.col(lowered["load_area"]).alias(PART)] if "load_area" in lowered else []
        long = with_row(frame).select(
            "row", pl.struct(names).alias(RAW), pl.col(lowered["zone"]).alias(IDENT),
            pl.lit(S.GRID_LOAD).alias(S.SERIES), ts.alias(S.TS),
            pl.col(lowered["mw"]).alias(S.VALUE), pl.lit("MW").alias(S.UNIT), *part,
        )
        return Adapted(long, _zone_source(catalog, region), f"pjm-dataminer:{path.name}")
    value_cols = [n for n in names if n.upper().endswith("_MW")] or (["y"] if "y" in names else [])
    time_col = next((n for n in names if n.lower() in ("datetime", "ds")), None)
    if time_col is None or len(value_cols) != 1:
        raise SourceFormatError(
            path, "PJM Data Miner columns (datetime_beginning_utc, zone, mw) or a per-zone file"
            " (Datetime, <ZONE>_MW)", f"columns {names}",
        )
    value_col = value_cols[0]
    zone = value_col[:-3] if value_col.upper().endswith("_MW") else path.stem.split("_")[0]
    local = pl.col(time_col).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
    utc = to_utc(pl.col("_local"), TIMEZONE, pl.col("_occ"), hour_ending=True)
    long = (
        with_row(frame)
        .with_columns(local.alias("_local"))
        .with_columns(occurrence(pl.col("_local")).alias("_occ"))
        .select(
            "row", pl.struct(names).alias(RAW), pl.lit(zone).alias(IDENT),
            pl.lit(S.GRID_LOAD).alias(S.SERIES), utc.alias(S.TS),
            ts_problem(pl.col("_local"), utc).alias(PROBLEM),
            pl.col(value_col).alias(S.VALUE), pl.lit("MW").alias(S.UNIT),
        )
    )
    return Adapted(long, _zone_source(catalog, region), f"pjm:{path.name}")
