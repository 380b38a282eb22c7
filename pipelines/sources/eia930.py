"""EIA-930 hourly balancing-authority data: BALANCE CSV, per-BA CSV exports, and API v2 JSON.

Layouts read:
- EIA "BALANCE" CSV: `Balancing Authority`, `UTC Time at End of Hour`, `Demand (MW)`,
  `Demand Forecast (MW)` (Net Generation and Total Interchange are not load and are not read).
- Per-BA CSV as EIA published it (`date_time, demand (MW)`, UTC hour ending), and the same
  with `raw demand (MW)` and `forecast demand (MW)` (the cleaned column is not read: it treats
  real load growth as anomalies). The balancing authority is the file name (`PJM-DOM.csv`).
- API v2 JSON of `electricity/rto/region-data` (`response.data[]` with `period` in UTC hour
  ending, `respondent`, `type` D = demand, DF = day-ahead demand forecast, `value`) and of
  `electricity/rto/region-sub-ba-data` (`parent`, `subba`: demand of a sub-BA).

EIA stamps are hour ending; the stored `ts` is the start of the hour. The operator's day-ahead
forecast is series `operator_forecast`, `issued_at` = 00:00 local time of the target day (it is
published during the day before; the latest moment keeps backtests honest).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from forecast import schema as S
from pipelines.sources.base import (
    Adapted,
    Catalog,
    SourceFormatError,
    local_issue,
    melt_wide,
    with_row,
)
from pipelines.validation import eia_demand_map
from pipelines.validation.checks import IDENT, RAW

ISSUE_HOUR = 24  # 00:00 local on the target day itself
API_TYPES = {"D": S.GRID_LOAD, "DF": S.OPERATOR_FORECAST, "NG": "net_generation",
             "TI": "total_interchange"}
BALANCE_COLUMNS = {"Demand (MW)": S.GRID_LOAD, "Demand Forecast (MW)": S.OPERATOR_FORECAST}
EXPORT_COLUMNS = {"demand (MW)": S.GRID_LOAD, "raw demand (MW)": S.GRID_LOAD,
                  "forecast demand (MW)": S.OPERATOR_FORECAST}


def _finish(long: pl.LazyFrame, catalog: Catalog, region: str | None, source: str) -> Adapted:
    """Hour-ending UTC end -> start; series by column; issue time for forecasts."""
    regions = eia_demand_map(catalog, region)
    # Forecasts exist only for whole BAs: a BA maps to its region for operator_forecast even
    # when the region's load is measured at a sub-BA.
    forecast_regions = type(regions)(
        {**regions.mapping, **{ba: r for r, ba in _bas(catalog).items()}}, region
    )
    start = pl.col("_end") - pl.duration(hours=1)
    issued = local_issue(start, pl.col(IDENT), forecast_regions, catalog, ISSUE_HOUR)
    frame = long.with_columns(
        start.alias(S.TS),
        pl.when(pl.col(S.SERIES) == S.OPERATOR_FORECAST).then(issued).otherwise(None)
        .alias(S.ISSUED_AT),
        pl.lit("MW").alias(S.UNIT),
        # A BA forecast whose region is measured at a sub-BA is renamed so that the map finds it.
        pl.when((pl.col(S.SERIES) == S.OPERATOR_FORECAST) & pl.col(IDENT).is_in(list(regions.larger)))
        .then(pl.concat_str(pl.lit("BA:"), pl.col(IDENT))).otherwise(pl.col(IDENT)).alias(IDENT),
    ).drop("_end")
    mapping = {**regions.mapping, **{f"BA:{ba}": r for r, ba in _bas(catalog).items()}}
    return Adapted(frame, type(regions)(mapping, region, regions.larger), source)


def _bas(catalog: Catalog) -> dict[str, str]:
    return {r.id: r.sources["eia930_ba"] for r in catalog.values() if "eia930_ba" in r.sources}


def read_eia930_csv(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A BALANCE CSV or a per-BA export CSV."""
    frame = pl.scan_csv(path, infer_schema=False)
    names = frame.collect_schema().names()
    if "Balancing Authority" in names and "UTC Time at End of Hour" in names:
        columns = [c for c in BALANCE_COLUMNS if c in names]
        end = pl.col("UTC Time at End of Hour").str.strip_chars().str.to_datetime(
            "%m/%d/%Y %I:%M:%S %p", strict=False, time_unit="us"
        ).dt.replace_time_zone("UTC")
        prepared = frame.with_columns(end.alias("_end"), pl.col("Balancing Authority").alias("_ba"))
        long = melt_wide(prepared, ["_end", "_ba", "UTC Time at End of Hour", "Balancing Authority"],
                         columns, {})
        long = long.with_columns(
            pl.col(IDENT).replace_strict(BALANCE_COLUMNS).alias(S.SERIES), pl.col("_ba").alias(IDENT)
        ).drop("_ba", "UTC Time at End of Hour", "Balancing Authority")
    elif "date_time" in names and any(c in names for c in EXPORT_COLUMNS):
        columns = [c for c in EXPORT_COLUMNS if c in names]
        end = pl.col("date_time").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
        prepared = frame.with_columns(end.dt.replace_time_zone("UTC").alias("_end"))
        long = melt_wide(prepared, ["_end", "date_time"], columns, {}).with_columns(
            pl.col(IDENT).replace_strict(EXPORT_COLUMNS).alias(S.SERIES),
            pl.lit(path.stem).alias(IDENT),
        ).drop("date_time")
    else:
        raise SourceFormatError(
            path, "EIA-930 BALANCE columns (Balancing Authority, UTC Time at End of Hour, Demand (MW))"
            " or an export (date_time, demand (MW))", f"columns {names}",
        )
    return _finish(long, catalog, region, f"eia930:{path.name}")


API_COLUMNS = ("period", "respondent", "type", "value", "value-units")


def api_row(row: dict[str, Any]) -> dict[str, str | None]:
    """One API row as text in the region-data shape; a sub-BA row (`parent` PJM, `subba` DOM)
    becomes respondent `PJM-DOM`, type D (the region-sub-ba-data route has demand only)."""
    out = {n: None if row.get(n) is None else str(row[n]) for n in API_COLUMNS}
    if row.get("subba") is not None:
        out["respondent"], out["type"] = f"{row.get('parent')}-{row['subba']}", "D"
    return out


def api_rows_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """API rows (already `api_row`-shaped) as a frame of text columns."""
    return pl.DataFrame(
        {n: [r[n] for r in rows] for n in API_COLUMNS}, schema={n: pl.String for n in API_COLUMNS}
    )


def api_frame(document: dict[str, Any]) -> pl.DataFrame:
    """The `response.data` rows of an EIA API v2 answer (region-data or region-sub-ba-data)."""
    try:
        data = document["response"]["data"]
    except (KeyError, TypeError):
        found = str(list(document))[:80] if isinstance(document, dict) else type(document).__name__
        raise SourceFormatError("EIA API answer", "an object with response.data", found) from None
    return api_rows_frame([api_row(d) for d in data])


def adapt_api(rows: pl.DataFrame, catalog: Catalog, region: str | None, source: str) -> Adapted:
    """EIA API v2 rows (`period, respondent, type, value`) to the validation contract."""
    # `period` is `2024-01-01T05` (UTC, hour ending); polars needs minutes to parse an hour.
    end = pl.concat_str(pl.col("period").str.strip_chars(), pl.lit(":00")).str.to_datetime(
        "%Y-%m-%dT%H:%M", strict=False, time_unit="us"
    )
    long = with_row(rows).select(
        "row",
        pl.struct(pl.all().exclude("row")).alias(RAW),
        end.dt.replace_time_zone("UTC").alias("_end"),
        pl.col("respondent").alias(IDENT),
        pl.col("type").replace_strict(API_TYPES, default=pl.col("type")).alias(S.SERIES),
        pl.col("value").alias(S.VALUE),
    )
    return _finish(long, catalog, region, source)


def read_eia930_json(path: Path, catalog: Catalog, region: str | None = None) -> Adapted:
    """A saved EIA API v2 answer."""
    try:
        document = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise SourceFormatError(path, "EIA API v2 JSON", f"invalid JSON ({exc.msg})") from None
    return adapt_api(api_frame(document), catalog, region, f"eia930-api:{path.name}")
