"""The one validation every adapter's output goes through: row checks, hourly rule, series checks.

Input (the adapter contract, `ADAPTER_COLUMNS`): one row per source value with its source line
`row`, the source identifier `ident`, `series`, `ts` (UTC, null when the adapter could not
place it), `value` (text or number), and optionally `raw`, `unit`, `issued_at`, `problem` and
`problem_field` (a reason the adapter already knows, e.g. a DST hour that does not exist).
Optional `part` (a PJM load area): parts of one key are summed (validation/hourly.py).
Output: hourly rows ready to store and every rejected source row with its field and reason.

Speed and memory: one streamed pass reads the input into narrow columns (regions and series as
enums, the reason categorical), the hourly and series rules are O(n) column passes over the
sorted rows, and a second pass fetches the raw text of the rejected rows only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from forecast import schema as S
from pipelines.validation.hourly import HOUR_KEY, MW, N_ROWS, PART, ROW, to_hourly
from pipelines.validation.regions import RegionMap
from pipelines.validation.series import (
    FLATLINE_HOURS,
    FLATLINE_SERIES,
    HISTORY_FACTOR,
    HISTORY_MIN_HOURS,
    HISTORY_SERIES,
    hour_reasons,
)

RAW, IDENT, PROBLEM, PROBLEM_FIELD = "raw", "ident", "problem", "problem_field"
ADAPTER_COLUMNS = (ROW, IDENT, S.SERIES, S.TS, S.VALUE)

# Metered data-centre load is already inside grid_load; it is kept as its own series so that
# headroom never subtracts it twice (DESIGN: ai_demand is load not metered in grid_load).
AI_DEMAND_METERED = "ai_demand_metered"
ACCEPTED_SERIES = (*S.SERIES_NAMES, AI_DEMAND_METERED)
SERIES_ENUM = pl.Enum(ACCEPTED_SERIES)

POWER_UNITS = {"w": 1e-6, "kw": 1e-3, "mw": 1.0, "gw": 1e3, "mwh": 1.0, "megawatts": 1.0,
               "megawatthours": 1.0, "megawatt hours": 1.0}  # MWh per hour = mean MW
TEMPERATURE_UNITS = {"degc": 1.0, "c": 1.0, "°c": 1.0, "celsius": 1.0}
MISSING_MARKERS = ("", "n/e", "-", "na", "n/a", "null", "none", "missing", "empty")
MAX_MW = 1_000_000.0  # no grid region is a terawatt; above this a value is a unit or data error
TEMPERATURE_RANGE = (-90.0, 60.0)
# Hourly grid data before 1990 or from 2100 on is a parsing or typing error, not a measurement.
EARLIEST_TS = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_TS = datetime(2100, 1, 1, tzinfo=UTC)

REASON_FIELDS = {
    "malformed_ts": S.TS, "ts_out_of_range": S.TS, "nonexistent_local_time": S.TS, "unknown_region": S.REGION,
    "area_larger_than_region": S.REGION, "unknown_series": S.SERIES, "unknown_unit": S.UNIT,
    "missing_unit": S.UNIT,
    "missing_value": S.VALUE, "non_numeric": S.VALUE, "not_a_number": S.VALUE,
    "negative": S.VALUE, "implausible_physical": S.VALUE, "implausible_vs_history": S.VALUE,
    "flatline": S.VALUE, "duplicate_in_batch": "key", "incomplete_parts": S.VALUE,
}
REJECTED = {ROW: pl.Int64, RAW: pl.String, "field": pl.String, "reason": pl.String}

__all__ = [
    "ACCEPTED_SERIES", "ADAPTER_COLUMNS", "AI_DEMAND_METERED", "FLATLINE_HOURS", "FLATLINE_SERIES",
    "HISTORY_FACTOR", "HISTORY_MIN_HOURS", "HISTORY_SERIES", "HOUR_KEY", "IDENT", "MAX_MW",
    "N_ROWS", "PART", "PROBLEM", "PROBLEM_FIELD", "RAW", "REASON_FIELDS", "ROW", "Validated",
    "validate",
]


@dataclass(frozen=True)
class Validated:
    """Hourly rows to store (`n_rows` source rows each) and rejected rows (row, raw, field, reason).

    `hourly` keeps region and series as enums (cheap to join and sort); the store writes text.
    """

    hourly: pl.DataFrame
    rejected: pl.DataFrame
    rows_read: int


def _with_defaults(frame: pl.LazyFrame) -> pl.LazyFrame:
    names = frame.collect_schema().names()
    S.require_columns(frame, ADAPTER_COLUMNS, "adapter output")
    defaults = {
        RAW: pl.struct(IDENT, S.SERIES, S.TS, S.VALUE),
        S.UNIT: pl.lit(None, dtype=pl.String),
        S.ISSUED_AT: pl.lit(None, dtype=S.UTC_TS),
        PROBLEM: pl.lit(None, dtype=pl.String),
        PROBLEM_FIELD: pl.lit(None, dtype=pl.String),
    }
    return frame.with_columns([e.alias(n) for n, e in defaults.items() if n not in names])


def _number(schema: pl.Schema) -> tuple[pl.Expr, pl.Expr]:
    """(number, is_missing) of the value column, text or numeric."""
    if schema[S.VALUE] == pl.String:
        text = pl.col(S.VALUE).str.strip_chars()
        missing = text.is_null() | text.str.to_lowercase().is_in(MISSING_MARKERS)
        # Thousands separators (EIA "1,234"); no source here writes decimal commas.
        return text.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False), missing
    number = pl.col(S.VALUE).cast(pl.Float64)
    return number, number.is_null()


UNIT_TABLE = pl.LazyFrame({
    "_unit": [*POWER_UNITS, *TEMPERATURE_UNITS],
    "_power": [*POWER_UNITS.values(), *[None] * len(TEMPERATURE_UNITS)],
    "_temp": [*[None] * len(POWER_UNITS), *TEMPERATURE_UNITS.values()],
}, schema={"_unit": pl.String, "_power": pl.Float64, "_temp": pl.Float64})


def _with_lookups(frame: pl.LazyFrame, regions: RegionMap) -> pl.LazyFrame:
    """Adds the region (an enum of the map's ids) and the unit factor `_factor` (null: wrong unit).

    Small lookup tables joined in keep a streamed pass lean; `replace_strict` on a text column
    of ten million rows holds several copies of it.
    """
    dtype = pl.Enum(regions.ids())
    table = pl.LazyFrame(
        {"_ident": list(regions.mapping), S.REGION: list(regions.mapping.values())},
        schema={"_ident": pl.String, S.REGION: dtype},
    )
    fallback = pl.lit(regions.override, dtype=pl.String).cast(dtype)
    if regions.larger:
        fallback = pl.when(pl.col(IDENT).is_in(list(regions.larger))).then(None).otherwise(fallback)
    region = pl.when(pl.col(S.REGION).is_null() & pl.col(IDENT).is_not_null()).then(fallback)
    unit = pl.col(S.UNIT).str.strip_chars().str.to_lowercase()
    factor = (
        pl.when(pl.col(S.UNIT).is_null()).then(pl.lit(1.0))
        .when(pl.col(S.SERIES) == S.TEMPERATURE).then(pl.col("_temp"))
        .otherwise(pl.col("_power"))
    )
    joined = (
        frame.with_columns(pl.col(IDENT).cast(pl.String).alias("_ident"), unit.alias("_unit"))
        .join(table, on="_ident", how="left", maintain_order="left")
        .join(UNIT_TABLE, on="_unit", how="left", maintain_order="left")
    )
    if regions.override is not None or regions.larger:
        joined = joined.with_columns(region.otherwise(pl.col(S.REGION)).alias(S.REGION))
    return joined.with_columns(factor.alias("_factor")).drop("_ident", "_unit", "_power", "_temp")


def _row_checks(frame: pl.LazyFrame, regions: RegionMap) -> pl.LazyFrame:
    """Adds the region (an enum of the map's ids), the value in MW `_mw`, and `_reason` (null = fine).

    Intermediate columns are computed once each: an expression repeated inside the `when`
    chain would be evaluated again for every branch.
    """
    number, missing = _number(frame.collect_schema())
    num, mw = pl.col("_num"), pl.col(MW)
    is_temp = pl.col(S.SERIES) == S.TEMPERATURE
    lo, hi = TEMPERATURE_RANGE
    unknown = pl.col(S.REGION).is_null()
    reason = (
        pl.when(pl.col(PROBLEM).is_not_null()).then(pl.col(PROBLEM))
        .when(pl.col(S.TS).is_null()).then(pl.lit("malformed_ts"))
        .when((pl.col(S.TS) < EARLIEST_TS) | (pl.col(S.TS) >= LATEST_TS)).then(pl.lit("ts_out_of_range"))
        .when(unknown & pl.col(IDENT).is_in(list(regions.larger))).then(pl.lit("area_larger_than_region"))
        .when(unknown).then(pl.lit("unknown_region"))
        .when(~pl.col(S.SERIES).is_in(ACCEPTED_SERIES)).then(pl.lit("unknown_series"))
        .when(pl.col("_factor").is_null()).then(pl.lit("unknown_unit"))
        .when(pl.col("_missing")).then(pl.lit("missing_value"))
        .when(num.is_null()).then(pl.lit("non_numeric"))
        .when(num.is_nan() | num.is_infinite()).then(pl.lit("not_a_number"))
        .when(~is_temp & (mw < 0)).then(pl.lit("negative"))
        .when(~is_temp & (mw > MAX_MW)).then(pl.lit("implausible_physical"))
        .when(is_temp & ((mw < lo) | (mw > hi))).then(pl.lit("implausible_physical"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return (
        _with_lookups(frame, regions)
        .with_columns(number.alias("_num"), missing.alias("_missing"))
        .with_columns((num * pl.col("_factor")).alias(MW))
        .with_columns(reason.alias("_reason"))
    )


def _raw_text(schema: pl.Schema) -> pl.Expr:
    if isinstance(schema[RAW], pl.Struct):
        return pl.col(RAW).struct.json_encode()
    return pl.col(RAW).cast(pl.String)


def _field(reason: pl.Expr) -> pl.Expr:
    return reason.replace_strict(REASON_FIELDS, default=S.VALUE, return_dtype=pl.String)


def _raw_of(frame: pl.LazyFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """Second pass: raw text and field of the rejected rows (few rows, fetched by `row`)."""
    if rejected.is_empty():
        return pl.DataFrame(schema=REJECTED)
    wanted = rejected[ROW].unique()
    raw = (
        frame.select(
            pl.col(ROW).cast(pl.Int64), _raw_text(frame.collect_schema()).alias(RAW),
            pl.col(PROBLEM_FIELD).cast(pl.String),
        )
        .filter(pl.col(ROW).is_in(wanted.implode()))
        .collect(engine="streaming")
    )
    field = pl.coalesce(pl.col(PROBLEM_FIELD), _field(pl.col("reason")))
    return rejected.join(raw, on=ROW, how="left").select(ROW, RAW, field.alias("field"), "reason")


Neighbours = Callable[[pl.DataFrame], pl.DataFrame | None]


def validate(
    frame: pl.LazyFrame | pl.DataFrame, regions: RegionMap, history: pl.LazyFrame | None = None,
    neighbours: Neighbours | None = None,
) -> Validated:
    """Check an adapter's rows; return hourly rows to store and rejected rows with reasons.

    `history` holds stored values (`region, series, value`) that bound what is plausible;
    `neighbours(hours)` returns the stored hours (`region, series, issued_at, ts, value`) around
    the batch's hours, which a flatline in the batch may continue.
    """
    lazy = _with_defaults(frame.lazy())
    schema = lazy.collect_schema()
    checked = _row_checks(lazy, regions)
    parts = [PART] if PART in schema.names() else []
    # One streamed pass into narrow columns; raw text and field only for rejected rows, later.
    narrow = checked.select(
        pl.col(ROW).cast(pl.Int64), S.REGION, pl.col(S.SERIES).cast(SERIES_ENUM, strict=False),
        pl.col(S.ISSUED_AT).cast(S.UTC_TS), pl.col(S.TS).cast(S.UTC_TS), MW, *parts,
        pl.col("_reason").cast(pl.Categorical),
    ).collect(engine="streaming")
    rows_read = narrow.height
    is_bad = pl.col("_reason").is_not_null()
    bad = narrow.filter(is_bad).select(ROW, pl.col("_reason").cast(pl.String).alias("reason"))
    good = narrow.filter(~is_bad).drop("_reason") if bad.height else narrow.drop("_reason")
    del narrow, checked

    hourly = to_hourly(good)
    del good
    around = neighbours(hourly.hours) if neighbours is not None and hourly.hours.height else None
    hours = hourly.hours.with_columns(hour_reasons(hourly.hours, history, around))
    bad_hours = hours.filter(pl.col("_reason").is_not_null())
    if ROW in hours.columns:
        hour_rejected = bad_hours.select(ROW, pl.col("_reason").alias("reason"))
    else:
        hour_rejected = hourly.rows.join(
            bad_hours.select(*HOUR_KEY, "_reason"), on=list(HOUR_KEY), nulls_equal=True
        ).select(ROW, pl.col("_reason").alias("reason"))
    rejected = _raw_of(lazy, pl.concat([bad, hourly.rejected, hour_rejected])).cast(REJECTED).sort(ROW)
    unit = pl.when(pl.col(S.SERIES) == S.TEMPERATURE).then(pl.lit("degC")).otherwise(pl.lit("MW"))
    kept = hours.filter(pl.col("_reason").is_null()) if bad_hours.height else hours
    accepted = kept.select(*HOUR_KEY, S.VALUE, unit.alias(S.UNIT), N_ROWS)
    return Validated(accepted, rejected, rows_read)
