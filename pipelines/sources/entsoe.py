"""ENTSO-E Transparency Platform total load: the CSV export and the API's XML load documents.

CSV: `Time (CET/CEST)` as `dd.mm.yyyy HH:MM - dd.mm.yyyy HH:MM` ranges in Europe/Brussels
local time, columns `Actual Total Load [MW] - BZN|DE-LU` and `Day-ahead Total Load Forecast
[MW] - BZN|DE-LU`; `n/e`, `-` and empty cells mean no value. The repeated autumn hour appears
twice in file order; the skipped spring hour has rows with empty values (quarantined as
nonexistent_local_time). Quarter-hours are averaged to the hour by validation.

XML: `GL_MarketDocument` with `TimeSeries` (`outBiddingZone_Domain.mRID` an EIC code,
`Period/timeInterval/start`, `resolution` PT15M/PT30M/PT60M, `Point/position`/`quantity`), UTC.
Curve type A03 (variable-sized blocks) leaves out positions that repeat the previous value;
they are filled in, so every interval of the period is a row.
`processType` A16 is realised load, A01 the day-ahead forecast.

The day-ahead forecast is series `operator_forecast` with `issued_at` = 10:00 Brussels time on
the day before the target day (published two hours before the 12:00 day-ahead gate closure).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import polars as pl
from lxml import etree

from forecast import schema as S
from pipelines.sources.base import (
    Adapted,
    Catalog,
    SourceFormatError,
    day_ahead_issue,
    melt_wide,
    with_row,
)
from pipelines.validation import source_map
from pipelines.validation.checks import IDENT, PROBLEM, RAW
from pipelines.validation.localtime import occurrence, to_utc, ts_problem

TIMEZONE = "Europe/Brussels"  # CET/CEST
ISSUE_HOUR = 10
HEADER = re.compile(r"^(?P<what>.+?) \[(?P<unit>[A-Za-z]+)\] - (?:BZN|CTA|BZN\|CTA)?\|?(?P<zone>.+)$")
SERIES_OF = {"Actual Total Load": S.GRID_LOAD, "Day-ahead Total Load Forecast": S.OPERATOR_FORECAST}
PROCESS_SERIES = {"A16": S.GRID_LOAD, "A01": S.OPERATOR_FORECAST}
RESOLUTION_MINUTES = {"PT15M": 15, "PT30M": 30, "PT60M": 60}
ZONE_KEYS = ("entsoe_bidding_zone", "entsoe_eic")


def _with_issue(frame: pl.LazyFrame) -> pl.LazyFrame:
    issued = day_ahead_issue(pl.col(S.TS), TIMEZONE, ISSUE_HOUR)
    return frame.with_columns(
        pl.when(pl.col(S.SERIES) == S.OPERATOR_FORECAST).then(issued).otherwise(None)
        .alias(S.ISSUED_AT)
    )


def read_entsoe_csv(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """An 'Actual Total Load' / 'Day-ahead Total Load Forecast' CSV export."""
    frame = pl.scan_csv(path, infer_schema=False)
    names = frame.collect_schema().names()
    time_col = next((n for n in names if n.startswith("Time (")), None)
    parsed = {n: HEADER.match(n) for n in names if n != time_col}
    columns = [n for n, m in parsed.items() if m and m["what"] in SERIES_OF]
    if time_col is None or not columns:
        raise SourceFormatError(
            path, "'Time (CET/CEST)' and 'Actual Total Load [MW] - BZN|<zone>' columns",
            f"columns {names}",
        )
    local = pl.col(time_col).str.slice(0, 16).str.to_datetime("%d.%m.%Y %H:%M", strict=False, time_unit="us")
    prepared = frame.with_columns(local.alias("_local")).with_columns(
        occurrence(pl.col("_local")).alias("_occ")
    ).with_columns(to_utc(pl.col("_local"), TIMEZONE, pl.col("_occ")).alias(S.TS))
    prepared = prepared.with_columns(ts_problem(pl.col("_local"), pl.col(S.TS)).alias(PROBLEM))
    idents = {n: parsed[n]["zone"] for n in columns}
    long = melt_wide(prepared, [time_col, "_local", "_occ", S.TS, PROBLEM], columns, {})
    series = pl.col(IDENT).replace_strict({n: SERIES_OF[parsed[n]["what"]] for n in columns})
    units = pl.col(IDENT).replace_strict({n: parsed[n]["unit"] for n in columns})
    long = long.with_columns(
        series.alias(S.SERIES), units.alias(S.UNIT), pl.col(IDENT).replace_strict(idents).alias(IDENT)
    ).drop(time_col, "_local", "_occ")
    return Adapted(_with_issue(long), source_map(catalog, ZONE_KEYS, region), f"entsoe:{path.name}")


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _fill_blocks(
    points: list[tuple[str | None, str | None]], interval: dict[str, str | None], resolution: str | None
) -> list[tuple[str | None, str | None]]:
    """Curve type A03 (variable-sized blocks): a position left out repeats the one before it.

    Every position of the period is returned, so each interval is one row read.
    """
    minutes = RESOLUTION_MINUTES.get(resolution or "")
    try:
        start, end = (datetime.strptime(interval[k] or "", "%Y-%m-%dT%H:%MZ") for k in ("start", "end"))
        known = {int(p or ""): q for p, q in points}
    except (KeyError, ValueError):
        return points  # malformed: let validation quarantine what it cannot place
    if minutes is None or not known:
        return points
    count = int((end - start).total_seconds() // 60 // minutes)
    filled, current = [], None
    for position in range(1, max(count, max(known)) + 1):
        current = known.get(position, current)
        filled.append((str(position), current))
    return filled


def xml_frame(data: bytes, where: str = "ENTSO-E XML") -> pl.DataFrame:
    """Points of a GL_MarketDocument as rows (zone, process, start, minutes, position, quantity)."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise SourceFormatError(where, "an ENTSO-E XML document", f"invalid XML ({exc})") from None
    if _local(root.tag) != "GL_MarketDocument":
        raise SourceFormatError(where, "a GL_MarketDocument", _local(root.tag))
    process = next((e.text for e in root if _local(e.tag) == "process.processType"), None)
    rows: list[tuple] = []
    for series in (e for e in root if _local(e.tag) == "TimeSeries"):
        fields = {_local(e.tag): e for e in series}
        # lxml elements without children are falsy: test for None, never truth.
        zone = fields.get("outBiddingZone_Domain.mRID")
        zone = fields.get("inBiddingZone_Domain.mRID") if zone is None else zone
        unit = fields.get("quantity_Measure_Unit.name")
        curve = fields.get("curveType")
        for period in (e for e in series if _local(e.tag) == "Period"):
            parts = {_local(e.tag): e for e in period}
            interval = {_local(e.tag): e.text for e in parts["timeInterval"]}
            resolution = parts["resolution"].text
            points = [
                (values.get("position"), values.get("quantity"))
                for values in ({_local(e.tag): e.text for e in p} for p in period if _local(p.tag) == "Point")
            ]
            if curve is not None and curve.text == "A03":
                points = _fill_blocks(points, interval, resolution)
            head = (None if zone is None else zone.text, process, interval.get("start"), resolution)
            rows.extend((*head, position, quantity, None if unit is None else unit.text)
                        for position, quantity in points)
    names = ["zone", "process", "start", "resolution", "position", "quantity", "unit"]
    return pl.DataFrame(rows, schema={n: pl.String for n in names}, orient="row")


def adapt_xml(points: pl.DataFrame, catalog: Catalog, region: str | None, source: str) -> Adapted:
    """Rows of `xml_frame` to the validation contract."""
    start = pl.col("start").str.to_datetime(
        "%Y-%m-%dT%H:%M%#z", strict=False, time_zone="UTC", time_unit="us"
    )
    minutes = pl.col("resolution").replace_strict(RESOLUTION_MINUTES, default=None, return_dtype=pl.Int64)
    offset = (pl.col("position").cast(pl.Int64, strict=False) - 1) * minutes
    long = with_row(points).select(
        "row",
        pl.struct(pl.all().exclude("row")).alias(RAW),
        pl.col("zone").alias(IDENT),
        pl.col("process").replace_strict(PROCESS_SERIES, default=pl.col("process")).alias(S.SERIES),
        (start + pl.duration(minutes=offset)).cast(S.UTC_TS).alias(S.TS),
        pl.col("quantity").alias(S.VALUE),
        pl.when(pl.col("unit") == "MAW").then(pl.lit("MW")).otherwise(pl.col("unit")).alias(S.UNIT),
    )
    regions = source_map(catalog, ("entsoe_eic", "entsoe_bidding_zone"), region)
    return Adapted(_with_issue(long), regions, source)


def read_entsoe_xml(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A saved ENTSO-E API load document."""
    return adapt_xml(xml_frame(path.read_bytes(), path.name), catalog, region, f"entsoe-xml:{path.name}")
