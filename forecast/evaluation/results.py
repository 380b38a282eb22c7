"""Backtest results: metrics per model and region, per model over all regions (`ALL`), per step.

Every figure is a mean over region-folds (metrics per fold first, see `metrics.fold_metrics`);
the `ALL` row of a model is the mean over all its region-folds. Seconds are per region-fold: a
fold's wall time shared equally by the regions fitted together. The best model has the lowest
`ALL` MASE among the models scored on every region-fold (the operator, scored only where its
vintages reach, is ranked only if it covers all of them too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from forecast import schema as S
from forecast.evaluation.metrics import LEVELS, fold_metrics, metric_names, with_step
from forecast.schema import STEP

ALL = "ALL"
TIMES = ("fit_seconds", "predict_seconds")


def result_fields(levels: Sequence[int] = LEVELS) -> tuple[str, ...]:
    """Point metrics, `coverage_<L>, width_<L>, winkler_<L>` per level, then the seconds."""
    return (*metric_names(levels), *TIMES)


def per_fold(
    predictions: pl.DataFrame, scales: pl.DataFrame, timings: pl.DataFrame, levels: Sequence[int] = LEVELS
) -> pl.DataFrame:
    """Metrics and seconds per model, region and cutoff."""
    metrics = fold_metrics(predictions, scales, by=(S.MODEL, S.REGION, S.CUTOFF), levels=levels)
    return metrics.join(timings, on=[S.MODEL, S.REGION, S.CUTOFF], how="left")


def _means(frame: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    keys = {*by, S.MODEL, S.REGION, S.CUTOFF, STEP}
    present = [f for f in frame.columns if f not in keys]
    return (
        frame.group_by(list(by), maintain_order=True)
        .agg(*[pl.col(f).mean() for f in present], pl.len().alias("folds"))
        .sort(list(by))
    )


def summary(folds: pl.DataFrame) -> pl.DataFrame:
    """`model, region, <fields>, folds`: one row per model and region, plus region ALL per model."""
    by_region = _means(folds, (S.MODEL, S.REGION))
    overall = _means(folds, (S.MODEL,)).with_columns(pl.lit(ALL).alias(S.REGION))
    return pl.concat([by_region, overall.select(by_region.columns)]).sort(
        S.MODEL, pl.col(S.REGION) == ALL, S.REGION
    )


def by_step(predictions: pl.DataFrame, scales: pl.DataFrame, levels: Sequence[int] = LEVELS) -> pl.DataFrame:
    """`model, region, step, <metrics>`: metrics per horizon step (per region and ALL).

    Each step's figure is the mean over folds of that step's error (one hour per fold).
    """
    stepped = with_step(predictions)
    folds = fold_metrics(stepped, scales, by=(S.MODEL, S.REGION, S.CUTOFF, STEP), levels=levels)
    by_region = _means(folds, (S.MODEL, S.REGION, STEP))
    overall = _means(folds, (S.MODEL, STEP)).with_columns(pl.lit(ALL).alias(S.REGION))
    return pl.concat([by_region, overall.select(by_region.columns)]).sort(
        S.MODEL, pl.col(S.REGION) == ALL, S.REGION, STEP
    )


def best_model(table: pl.DataFrame) -> str | None:
    """The model with the lowest ALL MASE among those scored on as many region-folds as any."""
    overall = table.filter((pl.col(S.REGION) == ALL) & pl.col("mase").is_not_null())
    if overall.height == 0:
        return None
    full = overall.filter(pl.col("folds") == overall["folds"].max())
    return full.sort("mase", S.MODEL).row(0, named=True)[S.MODEL]


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def result_rows(
    table: pl.DataFrame, with_step_column: bool = False, levels: Sequence[int] = LEVELS
) -> list[dict]:
    """JSON rows `{model, region[, step], <result_fields(levels)>}` (NaN and inf as null)."""
    keys = [S.MODEL, S.REGION, *([STEP] if with_step_column else [])]
    wanted = result_fields(levels)
    fields = [*keys, *wanted]
    filled = table.with_columns(pl.lit(None, pl.Float64).alias(f) for f in wanted if f not in table.columns)
    return [{k: _clean(v) for k, v in row.items()} for row in filled.select(fields).iter_rows(named=True)]
