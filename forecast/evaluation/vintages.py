"""Forecast vintages at a cutoff: what an issued forecast (the operator's) said, as knowable then.

A vintage frame is long `region, ts, issued_at, value`: one row per target hour and issue. At a
cutoff c only rows with `issued_at <= c` exist; of those, the newest issue of each hour counts.
The operator's forecast is scored as the model `operator`: its median is that vintage, and its
intervals add the quantiles of its own past errors (hours up to c, each hour's last issue before
the hour), so it is measured on the same folds and metrics as our models.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import polars as pl

from forecast import schema as S
from forecast.evaluation.metrics import LEVELS, hi, level_quantiles, lo
from forecast.schema import YHAT, Y

OPERATOR = "operator"
VINTAGE_COLUMNS = (S.REGION, S.TS, S.ISSUED_AT, S.VALUE)
ERROR_WINDOW_HOURS = 24 * 7 * 8


def known_at(vintages: pl.DataFrame, cutoffs: pl.DataFrame) -> pl.DataFrame:
    """`region, cutoff, ts, issued_at, value`: per region-cutoff the newest issue of each hour
    among those issued by the cutoff (`cutoffs` has `region, cutoff`)."""
    S.require_columns(vintages, VINTAGE_COLUMNS, "vintages")
    return (
        vintages.join(cutoffs.select(S.REGION, S.CUTOFF).unique(), on=S.REGION)
        .filter(pl.col(S.ISSUED_AT) <= pl.col(S.CUTOFF))
        .sort(S.ISSUED_AT)
        .group_by(S.REGION, S.CUTOFF, S.TS, maintain_order=True)
        .last()
        .select(S.REGION, S.CUTOFF, S.TS, S.ISSUED_AT, S.VALUE)
    )


def _quantile_columns(levels: Sequence[int]) -> dict[str, float]:
    out: dict[str, float] = {}
    for level in levels:
        q_lo, q_hi = level_quantiles(level)
        out[lo(level)], out[hi(level)] = q_lo, q_hi
    return out


def past_errors(
    vintages: pl.DataFrame, actuals: pl.DataFrame, cutoffs: pl.DataFrame, window: int
) -> pl.DataFrame:
    """`region, cutoff, err` (actual - forecast) over the `window` hours up to each cutoff, each
    hour judged by its last issue before the hour (the day-ahead figure the operator had)."""
    keyed = cutoffs.select(S.REGION, S.CUTOFF).unique()
    last_issue = (
        vintages.filter(pl.col(S.ISSUED_AT) <= pl.col(S.TS))
        .sort(S.ISSUED_AT)
        .group_by(S.REGION, S.TS, maintain_order=True)
        .last()
        .select(S.REGION, S.TS, pl.col(S.VALUE).alias("_f"))
    )
    return (
        last_issue.join(actuals.select(S.REGION, S.TS, pl.col(S.VALUE).alias("_y")), on=[S.REGION, S.TS])
        .join(keyed, on=S.REGION)
        .filter(
            (pl.col(S.TS) <= pl.col(S.CUTOFF)) & (pl.col(S.TS) > pl.col(S.CUTOFF) - timedelta(hours=window))
        )
        .select(S.REGION, S.CUTOFF, (pl.col("_y") - pl.col("_f")).alias("err"))
        .drop_nulls("err")
    )


def operator_predictions(
    vintages: pl.DataFrame,
    actuals: pl.DataFrame,
    test: pl.DataFrame,
    levels: Sequence[int] = LEVELS,
    window: int = ERROR_WINDOW_HOURS,
) -> pl.DataFrame:
    """Prediction rows of the model `operator` for the test hours (`region, cutoff, ts, y`).

    Hours without a vintage issued by their fold's cutoff are left out (never filled from a later
    issue); intervals are null when the operator has no past errors before the cutoff.
    """
    S.require_columns(test, (S.REGION, S.CUTOFF, S.TS, Y), "operator_predictions(test)")
    cutoffs = test.select(S.REGION, S.CUTOFF).unique()
    known = known_at(vintages, cutoffs).select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias(YHAT))
    columns = _quantile_columns(levels)
    offsets = (
        past_errors(vintages, actuals, cutoffs, window)
        .group_by(S.REGION, S.CUTOFF)
        .agg(*[pl.col("err").quantile(q, interpolation="linear").alias(c) for c, q in columns.items()])
    )
    return (
        test.select(S.REGION, S.CUTOFF, S.TS, Y)
        .join(known, on=[S.REGION, S.CUTOFF, S.TS])
        .join(offsets, on=[S.REGION, S.CUTOFF], how="left")
        .with_columns(
            *[(pl.col(YHAT) + pl.col(c)).alias(c) for c in columns],
            pl.lit(OPERATOR).alias(S.MODEL),
        )
        .select(S.REGION, S.CUTOFF, S.TS, Y, YHAT, *columns, S.MODEL)
        .sort(S.REGION, S.CUTOFF, S.TS)
    )
