"""The one validation every adapter's output goes through: row checks, hourly rule, series checks.

Input (the adapter contract, `ADAPTER_COLUMNS`): one row per source value with its source line
`row`, the source identifier `ident`, `series`, `ts` (UTC, null when the adapter could not
place it), `value` (text or number), and optionally `raw`, `unit`, `issued_at`, `problem` and
`problem_field` (a reason the adapter already knows, e.g. a DST hour that does not exist).
Output: hourly rows ready to store and every rejected source row with its field and reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from forecast import schema as S
from pipelines.validation.regions import RegionMap

ROW, RAW, IDENT, PROBLEM, PROBLEM_FIELD, N_ROWS = "row", "raw", "ident", "problem", "problem_field", "n_rows"
ADAPTER_COLUMNS = (ROW, IDENT, S.SERIES, S.TS, S.VALUE)
HOUR_KEY = (S.REGION, S.SERIES, S.ISSUED_AT, S.TS)

# Metered data-centre load is already inside grid_load; it is kept as its own series so that
# headroom never subtracts it twice (DESIGN: ai_demand is load not metered in grid_load).
AI_DEMAND_METERED = "ai_demand_metered"
ACCEPTED_SERIES = (*S.SERIES_NAMES, AI_DEMAND_METERED)

POWER_UNITS = {"w": 1e-6, "kw": 1e-3, "mw": 1.0, "gw": 1e3, "mwh": 1.0, "megawatts": 1.0,
               "megawatthours": 1.0, "megawatt hours": 1.0}  # MWh per hour = mean MW
TEMPERATURE_UNITS = {"degc": 1.0, "c": 1.0, "°c": 1.0, "celsius": 1.0}
MISSING_MARKERS = ("", "n/e", "-", "na", "n/a", "null", "none", "missing", "empty")
MAX_MW = 1_000_000.0  # no grid region is a terawatt; above this a value is a unit or data error
TEMPERATURE_RANGE = (-90.0, 60.0)
FLATLINE_HOURS = 6
FLATLINE_SERIES = (S.GRID_LOAD, S.OPERATOR_FORECAST)
HISTORY_SERIES = (S.GRID_LOAD, S.OPERATOR_FORECAST)
HISTORY_MIN_HOURS = 168
HISTORY_FACTOR = 4.0  # plausible: within [q01 / 4, q99 * 4] of the region's values

REASON_FIELDS = {
    "malformed_ts": S.TS, "nonexistent_local_time": S.TS, "unknown_region": S.REGION,
    "area_larger_than_region": S.REGION, "unknown_series": S.SERIES, "unknown_unit": S.UNIT,
    "missing_value": S.VALUE, "non_numeric": S.VALUE, "not_a_number": S.VALUE,
    "negative": S.VALUE, "implausible_physical": S.VALUE, "implausible_vs_history": S.VALUE,
    "flatline": S.VALUE, "duplicate_in_batch": "key",
}


@dataclass(frozen=True)
class Validated:
    """Hourly rows to store (`n_rows` source rows each) and rejected rows (row, raw, field, reason)."""

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


def _number(frame: pl.LazyFrame) -> tuple[pl.Expr, pl.Expr]:
    """(number, is_missing) of the value column, text or numeric."""
    if frame.collect_schema()[S.VALUE] == pl.String:
        text = pl.col(S.VALUE).str.strip_chars()
        missing = text.is_null() | text.str.to_lowercase().is_in(MISSING_MARKERS)
        # Thousands separators (EIA "1,234"); no source here writes decimal commas.
        return text.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False), missing
    number = pl.col(S.VALUE).cast(pl.Float64)
    return number, number.is_null()


def _factor() -> pl.Expr:
    """Multiplier to the canonical unit (MW, or degC for temperature); null for a wrong unit."""
    unit = pl.col(S.UNIT).str.strip_chars().str.to_lowercase()
    power = unit.replace_strict(POWER_UNITS, default=None, return_dtype=pl.Float64)
    temp = unit.replace_strict(TEMPERATURE_UNITS, default=None, return_dtype=pl.Float64)
    return (
        pl.when(pl.col(S.UNIT).is_null()).then(pl.lit(1.0))
        .when(pl.col(S.SERIES) == S.TEMPERATURE).then(temp)
        .otherwise(power)
    )


def _row_checks(frame: pl.LazyFrame, regions: RegionMap) -> pl.LazyFrame:
    number, missing = _number(frame)
    region = regions.expr(pl.col(IDENT))
    mw = number * pl.col("_factor")
    is_temp = pl.col(S.SERIES) == S.TEMPERATURE
    lo, hi = TEMPERATURE_RANGE
    reason = (
        pl.when(pl.col(PROBLEM).is_not_null()).then(pl.col(PROBLEM))
        .when(pl.col(S.TS).is_null()).then(pl.lit("malformed_ts"))
        .when(region.is_null() & pl.col(IDENT).is_in(list(regions.larger)))
        .then(pl.lit("area_larger_than_region"))
        .when(region.is_null()).then(pl.lit("unknown_region"))
        .when(~pl.col(S.SERIES).is_in(ACCEPTED_SERIES)).then(pl.lit("unknown_series"))
        .when(pl.col("_factor").is_null()).then(pl.lit("unknown_unit"))
        .when(missing).then(pl.lit("missing_value"))
        .when(number.is_null()).then(pl.lit("non_numeric"))
        .when(number.is_nan() | number.is_infinite()).then(pl.lit("not_a_number"))
        .when(~is_temp & (mw < 0)).then(pl.lit("negative"))
        .when(~is_temp & (mw > MAX_MW)).then(pl.lit("implausible_physical"))
        .when(is_temp & ((mw < lo) | (mw > hi))).then(pl.lit("implausible_physical"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return frame.with_columns(_factor().alias("_factor")).with_columns(
        region.alias(S.REGION), mw.alias("_mw"), reason.alias("_reason")
    )


def _to_hourly(good: pl.DataFrame) -> pl.DataFrame:
    """Sub-hourly rows become their clock hour's mean (values are mean power over the interval)."""
    unit = pl.when(pl.col(S.SERIES) == S.TEMPERATURE).then(pl.lit("degC")).otherwise(pl.lit("MW"))
    hour = pl.col(S.TS).dt.truncate("1h")
    if good.select((pl.col(S.TS) == hour).all()).item() is not False:
        return good.select(
            *[pl.col(c) for c in HOUR_KEY], pl.col("_mw").alias(S.VALUE), unit.alias(S.UNIT),
            pl.lit(1, dtype=pl.Int64).alias(N_ROWS),
        )
    return (
        good.with_columns(hour.alias(S.TS))
        .group_by(HOUR_KEY)
        .agg(pl.col("_mw").mean().alias(S.VALUE), pl.len().cast(pl.Int64).alias(N_ROWS))
        .with_columns(unit.alias(S.UNIT))
    )


def _flatline(hourly: pl.DataFrame) -> pl.Expr:
    """True on hours inside a run of >= FLATLINE_HOURS consecutive hours with the same value."""
    same_series = (
        (pl.col(S.REGION) == pl.col(S.REGION).shift())
        & (pl.col(S.SERIES) == pl.col(S.SERIES).shift())
        & pl.col(S.ISSUED_AT).eq_missing(pl.col(S.ISSUED_AT).shift())
    )
    continues = (
        same_series
        & (pl.col(S.TS) - pl.col(S.TS).shift() == pl.duration(hours=1))
        & (pl.col(S.VALUE) == pl.col(S.VALUE).shift())
    ).fill_null(False)
    run = (~continues).cum_sum()
    return pl.col(S.SERIES).is_in(FLATLINE_SERIES) & (pl.len().over(run) >= FLATLINE_HOURS)


def _history_bounds(hourly: pl.DataFrame, history: pl.LazyFrame | None) -> pl.LazyFrame:
    values = hourly.lazy().select(S.REGION, S.SERIES, S.VALUE)
    if history is not None:
        values = pl.concat([values, history.select(S.REGION, S.SERIES, S.VALUE)])
    return (
        values.filter(pl.col(S.SERIES).is_in(HISTORY_SERIES))
        .group_by(S.REGION, S.SERIES)
        .agg(
            pl.len().alias("_n"),
            (pl.col(S.VALUE).quantile(0.01) / HISTORY_FACTOR).alias("_lo"),
            (pl.col(S.VALUE).quantile(0.99) * HISTORY_FACTOR).alias("_hi"),
        )
        .filter(pl.col("_n") >= HISTORY_MIN_HOURS)
        .drop("_n")
    )


def _series_checks(hourly: pl.DataFrame, history: pl.LazyFrame | None) -> pl.DataFrame:
    """Hour-level reasons: flatline runs, values far outside the region's own range."""
    if hourly.is_empty():
        return hourly.with_columns(pl.lit(None, dtype=pl.String).alias("_reason"))
    bounds = _history_bounds(hourly, history).collect()
    checked = hourly.sort(S.REGION, S.SERIES, S.ISSUED_AT, S.TS, nulls_last=False)
    checked = checked.with_columns(_flatline(checked).alias("_flat"))
    if bounds.height:
        checked = checked.join(bounds, on=[S.REGION, S.SERIES], how="left")
    else:
        checked = checked.with_columns(_lo=pl.lit(None, pl.Float64), _hi=pl.lit(None, pl.Float64))
    far = (pl.col(S.VALUE) < pl.col("_lo")) | (pl.col(S.VALUE) > pl.col("_hi"))
    reason = (
        pl.when(far.fill_null(False)).then(pl.lit("implausible_vs_history"))
        .when(pl.col("_flat")).then(pl.lit("flatline"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return checked.with_columns(reason.alias("_reason")).drop("_flat", "_lo", "_hi")


def _raw_text(frame: pl.DataFrame) -> pl.Expr:
    dtype = frame.schema[RAW]
    if isinstance(dtype, pl.Struct):
        return pl.col(RAW).struct.json_encode()
    return pl.col(RAW).cast(pl.String)


def _rejected(rows: pl.DataFrame, reason: str | pl.Expr, field: str | pl.Expr) -> pl.DataFrame:
    lit = lambda x: pl.lit(x) if isinstance(x, str) else x  # noqa: E731
    return rows.select(
        pl.col(ROW).cast(pl.Int64), _raw_text(rows).alias(RAW),
        lit(field).alias("field"), lit(reason).alias("reason"),
    )


def validate(
    frame: pl.LazyFrame | pl.DataFrame, regions: RegionMap, history: pl.LazyFrame | None = None
) -> Validated:
    """Check an adapter's rows; return hourly rows to store and rejected rows with reasons.

    `history` holds stored values (`region, series, value`) that bound what is plausible.
    """
    checked = _row_checks(_with_defaults(frame.lazy()), regions).collect()
    rows_read = checked.height
    # The field is looked up only for the (few) rejected rows.
    bad = checked.filter(pl.col("_reason").is_not_null()).with_columns(pl.coalesce(
        pl.col(PROBLEM_FIELD), pl.col("_reason").replace_strict(REASON_FIELDS, default=S.VALUE)
    ).alias("_field"))
    good = checked.filter(pl.col("_reason").is_null())
    # Within a batch the last delivery of a key wins; earlier ones are quarantined.
    dup = ~pl.struct(HOUR_KEY).is_last_distinct()
    good = good.with_columns(dup.alias("_dup"))
    dups = good.filter(pl.col("_dup"))
    good = good.filter(~pl.col("_dup"))
    hourly = _series_checks(_to_hourly(good), history)
    bad_hours = hourly.filter(pl.col("_reason").is_not_null()).select(
        *HOUR_KEY, pl.col("_reason").alias("_hour_reason")
    )
    hour_rejected = _rejected(
        good.with_columns(pl.col(S.TS).dt.truncate("1h")).join(
            bad_hours, on=list(HOUR_KEY), how="inner", nulls_equal=True
        ),
        pl.col("_hour_reason"), S.VALUE,
    )
    rejected = pl.concat([
        _rejected(bad, pl.col("_reason"), pl.col("_field")),
        _rejected(dups, "duplicate_in_batch", "key"),
        hour_rejected,
    ])
    accepted = hourly.filter(pl.col("_reason").is_null()).drop("_reason")
    return Validated(accepted, rejected.sort(ROW), rows_read)
