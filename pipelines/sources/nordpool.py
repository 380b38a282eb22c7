"""Nord Pool hourly consumption per area: the legacy `.xls` reports (HTML tables, not Excel).

Rows are `dd-mm-yyyy`, `HH - HH` (hour beginning, CET/CEST), then one column per area
(`NO1` ... `NO5`, `NO` for the country), values in MWh per hour (= mean MW). On the spring
change the skipped hour `02 - 03` is present with empty cells (quarantined as
nonexistent_local_time); on the autumn change `02 - 03` appears twice, read in file order.
Areas map through `nordpool_area` in the catalog.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from lxml import html

from forecast import schema as S
from pipelines.sources.base import Adapted, Catalog, SourceFormatError, melt_wide
from pipelines.validation import source_map
from pipelines.validation.checks import PROBLEM
from pipelines.validation.localtime import occurrence, to_utc, ts_problem

TIMEZONE = "Europe/Oslo"


def html_rows(data: bytes, where: str) -> tuple[list[str], list[list[str]]]:
    """(header, data rows) of the report's table; the title rows above the header are skipped."""
    try:
        tree = html.fromstring(data)
    except (ValueError, html.etree.ParserError) as exc:
        raise SourceFormatError(where, "a Nord Pool HTML report", f"unreadable ({exc})") from None
    rows = [[cell.text_content().replace("\xa0", " ").strip() for cell in tr] for tr in tree.iter("tr")]
    start = next((i for i, r in enumerate(rows) if len(r) > 2 and r[1].lower() == "hours"), None)
    if start is None:
        raise SourceFormatError(where, "a header row with 'Hours' and area columns", f"{len(rows)} rows")
    header = ["date", "hours", *rows[start][2:]]
    body = [r for r in rows[start + 1:] if len(r) == len(header)]
    return header, body


def read_nordpool(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A consumption-per-area report."""
    header, body = html_rows(path.read_bytes(), path.name)
    frame = pl.DataFrame(body, schema={h: pl.String for h in header}, orient="row")
    local = (
        pl.col("date") + pl.lit(" ") + pl.col("hours").str.slice(0, 2) + pl.lit(":00")
    ).str.to_datetime("%d-%m-%Y %H:%M", strict=False, time_unit="us")
    prepared = (
        frame.lazy()
        .with_columns(local.alias("_local"))
        .with_columns(occurrence(pl.col("_local")).alias("_occ"))
        .with_columns(to_utc(pl.col("_local"), TIMEZONE, pl.col("_occ")).alias(S.TS))
        .with_columns(ts_problem(pl.col("_local"), pl.col(S.TS)).alias(PROBLEM))
    )
    areas = header[2:]
    long = melt_wide(prepared, ["date", "hours", S.TS, PROBLEM], areas, {}).with_columns(
        pl.lit(S.GRID_LOAD).alias(S.SERIES), pl.lit("MWh").alias(S.UNIT)
    )
    return Adapted(long, source_map(catalog, ("nordpool_area",), region), f"nordpool:{path.name}")
