"""Good rows to hourly rows: key order, duplicates within a batch, parts summed, the hourly rule.

Works on the narrow frame of rows that passed the row checks (`row, region, series, issued_at,
ts, _mw[, part]`), region and series as enums so that sorting and grouping stay cheap at ten
million rows. Rules (docs/ingestion.md):
- Duplicates: the last delivery (highest `row`) of a key (and part) wins; earlier ones are
  returned as `duplicate_in_batch`.
- Sub-hourly rows become their clock hour's mean (values are mean power over the interval).
- Parts (PJM load areas of one zone): each part's hourly mean, then the sum over parts. An hour
  that lacks a part the batch has for that region and series is rejected as `incomplete_parts`:
  its sum would understate the load.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from forecast import schema as S

ROW, PART, MW, N_ROWS = "row", "part", "_mw", "n_rows"
SERIES_KEY = (S.REGION, S.SERIES, S.ISSUED_AT)
HOUR_KEY = (*SERIES_KEY, S.TS)
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Hourly:
    """Hourly rows (each series one block, in time order) and the source rows rejected on the way."""

    hours: pl.DataFrame  # HOUR_KEY, value, n_rows, and `row` when each hour is one source row
    rows: pl.DataFrame  # row, ts (hour), HOUR_KEY: source rows behind each hour (aggregated case)
    rejected: pl.DataFrame  # row, reason


def _ordered(columns: list[str]) -> pl.Expr:
    """True where a row is >= the previous one in the lexicographic order of `columns` (nulls first)."""
    expr: pl.Expr | None = None
    for name in reversed(columns):
        col = pl.col(name).to_physical()
        prev = col.shift()
        greater = (col > prev).fill_null(False) | (col.is_not_null() & prev.is_null())
        same = col.eq_missing(prev)
        expr = (greater | same) if expr is None else (greater | (same & expr))
    return expr if expr is not None else pl.lit(True)


def _grouped(frame: pl.DataFrame, keys: list[str]) -> bool:
    """True when each series (SERIES_KEY) is one contiguous block, in order of the other keys.

    That is all duplicates and flatlines need; the order of the blocks does not matter, so a
    file grouped by region in any region order needs no sort.
    """
    same = pl.lit(True)
    for name in SERIES_KEY:
        same = same & pl.col(name).eq_missing(pl.col(name).shift())
    inner = [k for k in keys if k not in SERIES_KEY]
    checked = frame.select(same.alias("_same"), _ordered(inner).alias("_up"))
    if not checked.select((~pl.col("_same") | pl.col("_up")).all()).item():
        return False
    heads = frame.select(list(SERIES_KEY)).filter(~checked["_same"])
    return not heads.is_duplicated().any()


def sort_by_key(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows of one series together, ordered by the remaining keys, later deliveries after earlier.

    Skips the sort when the frame is already grouped that way and in `row` order; a stable sort
    keeps row order among equal keys, otherwise `row` is the last sort key.
    """
    in_row_order = frame[ROW].is_sorted()
    if frame.height < 2 or (in_row_order and _grouped(frame, keys)):
        return frame
    if not in_row_order:
        return frame.sort([*keys, ROW], nulls_last=False)
    return frame.sort(keys, nulls_last=False, maintain_order=True)


def _same_as_next(keys: list[str]) -> pl.Expr:
    same = pl.lit(True)
    for name in keys:
        same = same & pl.col(name).eq_missing(pl.col(name).shift(-1))
    return same.fill_null(False)


def to_hourly(good: pl.DataFrame) -> Hourly:
    """Sort, reject duplicates, and build the hourly rows (see the module docstring)."""
    has_parts = PART in good.columns and good[PART].null_count() < good.height
    keys = [*HOUR_KEY, PART] if has_parts else list(HOUR_KEY)
    good = sort_by_key(good.drop(PART, strict=False) if not has_parts else good, keys)
    dup = _same_as_next(keys)
    rejected = good.filter(dup).select(ROW, pl.lit("duplicate_in_batch").alias("reason"))
    if rejected.height:
        good = good.filter(~dup)
    on_hour = good.select((pl.col(S.TS).dt.epoch("us") % HOUR_US == 0).all()).item() is not False
    if on_hour and not has_parts:
        hours = good.select(*HOUR_KEY, pl.col(MW).alias(S.VALUE), ROW)
        empty_rows = pl.DataFrame(schema={ROW: pl.Int64, **dict(hours.select(HOUR_KEY).schema)})
        return Hourly(hours.with_columns(pl.lit(1, pl.Int64).alias(N_ROWS)), empty_rows, rejected)
    rows = good.select(ROW, *SERIES_KEY, pl.col(S.TS).dt.truncate("1h"), *([PART] if has_parts else []))
    hourly = good.with_columns(pl.col(S.TS).dt.truncate("1h"))
    if has_parts:
        hourly = hourly.group_by([*HOUR_KEY, PART], maintain_order=True).agg(
            pl.col(MW).mean(), pl.len().alias(N_ROWS)
        )
        expected = pl.col(PART).n_unique().over(S.REGION, S.SERIES)
        hours = hourly.with_columns(expected.alias("_parts")).group_by(HOUR_KEY, maintain_order=True).agg(
            pl.col(MW).sum().alias(S.VALUE), pl.col(N_ROWS).sum(),
            (pl.len() < pl.col("_parts").first()).alias("_incomplete"),
        )
        partial = hours.filter(pl.col("_incomplete")).select(HOUR_KEY)
        if partial.height:
            rejected = pl.concat([rejected, rows.join(partial, on=list(HOUR_KEY), nulls_equal=True).select(
                ROW, pl.lit("incomplete_parts").alias("reason")
            )])
            rows = rows.join(partial, on=list(HOUR_KEY), how="anti", nulls_equal=True)
        hours = hours.filter(~pl.col("_incomplete")).drop("_incomplete")
    else:
        hours = hourly.group_by(HOUR_KEY, maintain_order=True).agg(
            pl.col(MW).mean().alias(S.VALUE), pl.len().cast(pl.Int64).alias(N_ROWS)
        )
    return Hourly(hours.with_columns(pl.col(N_ROWS).cast(pl.Int64)), rows.drop(PART, strict=False), rejected)
