"""Rolling-origin backtest of any model: fit per fold, predict, and line up with the actuals."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from forecast import schema as S
from forecast.evaluation.folds import region_cutoffs, split_regions
from forecast.evaluation.metrics import LEVELS, SCALE, YHAT, Y, hi, level_quantiles, lo
from forecast.models.base import ForecastModel


def level_columns(levels: Sequence[int] = LEVELS) -> dict[float, str]:
    """Quantile -> prediction column: 0.5 -> yhat, 0.1 -> lo_80, 0.9 -> hi_80, ..."""
    out = {0.5: YHAT}
    for level in levels:
        q_lo, q_hi = level_quantiles(level)
        out[round(q_lo, 6)] = lo(level)
        out[round(q_hi, 6)] = hi(level)
    return out


def backtest(
    make_model: Callable[[], ForecastModel],
    frame: pl.DataFrame,
    horizon: int,
    n_folds: int,
    step: int,
    season: int,
    levels: Sequence[int] = LEVELS,
    window: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(predictions, scales) over the last `n_folds` origins of a long `region, ts, value` frame.

    Predictions are `region, cutoff, ts, y, yhat, lo_*, hi_*` (yhat is the median); scales are the
    in-sample seasonal-naive MAE of each fold's training data, `region, cutoff, scale` (for MASE).
    Each region's origins are set from its own last hour (see `region_cutoffs`).
    """
    S.require_columns(frame, (S.REGION, S.TS, S.VALUE), "backtest")
    columns = level_columns(levels)
    preds, scales = [], []
    cutoffs = region_cutoffs(frame, horizon, n_folds, step)
    for (_,), fold in cutoffs.group_by("fold", maintain_order=True):
        train, test = split_regions(frame, fold, horizon, window)
        model = make_model().fit(train.drop(S.CUTOFF))
        quantiles = model.predict(horizon, sorted(columns)).with_columns(pl.col(S.QUANTILE).round(6))
        wide = quantiles.pivot(on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE)
        wide = wide.rename({c: columns[float(c)] for c in wide.columns if c not in (S.REGION, S.TS)})
        preds.append(
            wide.join(test.select(S.REGION, S.CUTOFF, S.TS, pl.col(S.VALUE).alias(Y)), on=[S.REGION, S.TS])
            .select(S.REGION, S.CUTOFF, S.TS, Y, YHAT, *[c for c in columns.values() if c != YHAT])
        )
        scales.append(
            train.sort(S.REGION, S.TS)
            .group_by(S.REGION, S.CUTOFF, maintain_order=True)
            .agg((pl.col(S.VALUE) - pl.col(S.VALUE).shift(season)).abs().mean().alias(SCALE))
        )
    predictions = pl.concat(preds).sort(S.REGION, S.CUTOFF, S.TS)
    return predictions, pl.concat(scales).select(S.REGION, S.CUTOFF, SCALE)
