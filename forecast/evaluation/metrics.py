"""Point and interval metrics over long prediction frames, as polars expressions: the one scoring path.

The backtest, the champion/challenger holdout, the default-model selection and the drift check all
score through this module (MASE and its seasonal-naive scale are defined here and nowhere else).
Predictions are `region, cutoff, ts, y, yhat` and `lo_<L>, hi_<L>` per interval level L (80 and 95
by default; any levels in 1-99), plus any key column such as `model`. Metrics are computed per
fold (region, cutoff) and then averaged, so every fold weighs the same whatever its scale; MASE
divides a fold's MAE by the in-sample seasonal-naive MAE of that fold's own training data.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from forecast.schema import SCALE, STEP, YHAT, K, Y

LEVELS = (80, 95)
POINT_METRICS = ("mae", "rmse", "mape", "smape", "mase", "pinball")
INTERVAL_METRICS = ("coverage", "width", "winkler")


def lo(level: int) -> str:
    return f"lo_{level}"


def hi(level: int) -> str:
    return f"hi_{level}"


class LevelError(UserError, ValueError):
    """An interval level outside 1-99 (percent), or given twice."""


def check_levels(levels: Sequence[int]) -> tuple[int, ...]:
    """The levels, ascending; LevelError naming the bad one otherwise."""
    for level in levels:
        if not isinstance(level, int) or not 0 < level < 100:
            raise LevelError(f"interval level {level!r} must be a whole percent between 1 and 99")
    if len(set(levels)) != len(levels):
        raise LevelError(f"interval levels {list(levels)} repeat a level")
    if not levels:
        raise LevelError("at least one interval level is needed, e.g. 80,95")
    return tuple(sorted(levels))


def interval_columns(levels: Sequence[int] = LEVELS) -> list[str]:
    """`lo_<L>, hi_<L>` for every level, in the order given."""
    return [c for level in levels for c in (lo(level), hi(level))]


def pred_columns(levels: Sequence[int] = LEVELS) -> tuple[str, ...]:
    """Columns a prediction frame needs for these levels."""
    return (S.REGION, S.CUTOFF, S.TS, Y, YHAT, *interval_columns(levels))


def metric_names(levels: Sequence[int] = LEVELS) -> tuple[str, ...]:
    """Point metrics, then `coverage_<L>` for every level, `width_<L>`, `winkler_<L>`."""
    return (*POINT_METRICS, *(f"{m}_{level}" for m in INTERVAL_METRICS for level in levels))


def level_quantiles(level: int) -> tuple[float, float]:
    """The (lower, upper) quantiles of a central interval, e.g. 80 -> (0.1, 0.9)."""
    alpha = 1 - level / 100
    return alpha / 2, 1 - alpha / 2


def quantile_columns(levels: Sequence[int]) -> dict[float, str]:
    """Quantile -> prediction column: 0.5 -> yhat, 0.1 -> lo_80, 0.9 -> hi_80, ..."""
    out = {0.5: YHAT}
    for level in levels:
        q_lo, q_hi = level_quantiles(level)
        out[round(q_lo, 6)], out[round(q_hi, 6)] = lo(level), hi(level)
    return out


def err() -> pl.Expr:
    return pl.col(Y) - pl.col(YHAT)


def mae() -> pl.Expr:
    return err().abs().mean()


def rmse() -> pl.Expr:
    return (err() ** 2).mean().sqrt()


def mape() -> pl.Expr:
    """Mean absolute percentage error, %; undefined (null) where y is 0."""
    return (err().abs() / pl.col(Y).abs().replace(0.0, None)).mean() * 100


def smape() -> pl.Expr:
    """Symmetric MAPE in %, 0-200: mean of 2|y - yhat| / (|y| + |yhat|)."""
    denom = (pl.col(Y).abs() + pl.col(YHAT).abs()).replace(0.0, None)
    return (2 * err().abs() / denom).mean() * 100


def mase(error: pl.Expr | None = None) -> pl.Expr:
    """Mean absolute scaled error: mean of |error| / scale, the error `y - yhat` unless given.

    `scale` is the in-sample seasonal-naive MAE of the training data (`seasonal_naive_scale`).
    """
    return ((err() if error is None else error).abs() / pl.col(SCALE)).mean()


def pinball_loss(value: pl.Expr, q: float) -> pl.Expr:
    """Pinball (quantile) loss of one quantile forecast, element-wise."""
    diff = pl.col(Y) - value
    return pl.max_horizontal(q * diff, (q - 1) * diff)


def pinball(levels: Sequence[int] = LEVELS) -> pl.Expr:
    """Mean pinball loss over the median (yhat) and both ends of every interval."""
    terms = [pinball_loss(pl.col(YHAT), 0.5)]
    for level in levels:
        q_lo, q_hi = level_quantiles(level)
        terms += [pinball_loss(pl.col(lo(level)), q_lo), pinball_loss(pl.col(hi(level)), q_hi)]
    return pl.mean_horizontal(terms).mean()


def covered(level: int) -> pl.Expr:
    """Whether each actual lies inside the interval (bounds included), element-wise."""
    return (pl.col(Y) >= pl.col(lo(level))) & (pl.col(Y) <= pl.col(hi(level)))


def coverage(level: int) -> pl.Expr:
    """Share of actuals inside the interval (bounds included), %."""
    return covered(level).cast(pl.Float64).mean() * 100


def width(level: int) -> pl.Expr:
    return (pl.col(hi(level)) - pl.col(lo(level))).mean()


def winkler(level: int) -> pl.Expr:
    """Winkler score: width plus 2/alpha times how far the actual falls outside the interval."""
    alpha = 1 - level / 100
    below = (pl.col(lo(level)) - pl.col(Y)).clip(lower_bound=0)
    above = (pl.col(Y) - pl.col(hi(level))).clip(lower_bound=0)
    return (pl.col(hi(level)) - pl.col(lo(level)) + 2 / alpha * (below + above)).mean()


def seasonal_naive_scale(train: pl.DataFrame, season: int, value: str = Y) -> pl.DataFrame:
    """In-sample MAE of the seasonal-naive rule per region: mean |y_t - y_{t-season}| (`region, scale`).

    Rows are taken in time order; the scale is null for a region with no more than `season` rows.
    """
    S.require_columns(train, (S.REGION, S.TS, value), "seasonal_naive_scale")
    return (
        train.sort(S.REGION, S.TS)
        .group_by(S.REGION, maintain_order=True)
        .agg((pl.col(value) - pl.col(value).shift(season)).abs().mean().alias(SCALE))
    )


def with_step(pred: pl.DataFrame) -> pl.DataFrame:
    """Adds `step`: hours from the fold's cutoff to ts (1 = first forecast hour)."""
    return pred.with_columns(((pl.col(S.TS) - pl.col(S.CUTOFF)).dt.total_hours()).alias(STEP))


def fold_metrics(
    pred: pl.DataFrame,
    scales: pl.DataFrame,
    by: Sequence[str] = (S.REGION, S.CUTOFF),
    levels: Sequence[int] = LEVELS,
) -> pl.DataFrame:
    """Every metric per group of `by` (default one row per fold); scales are `region, cutoff, scale`.

    Add `step` (see `with_step`) to `by` for metrics per horizon step.
    """
    S.require_columns(pred, pred_columns(levels), "fold_metrics(pred)")
    S.require_columns(scales, (S.REGION, S.CUTOFF, SCALE), "fold_metrics(scales)")
    keyed = with_step(pred).join(scales, on=[S.REGION, S.CUTOFF], how="left")
    return (
        keyed.group_by(list(by), maintain_order=True)
        .agg(
            mae().alias("mae"), rmse().alias("rmse"), mape().alias("mape"), smape().alias("smape"),
            mase().alias("mase"), pinball(levels).alias("pinball"),
            *[coverage(v).alias(f"coverage_{v}") for v in levels],
            *[width(v).alias(f"width_{v}") for v in levels],
            *[winkler(v).alias(f"winkler_{v}") for v in levels],
        )
        .sort(list(by))
    )


def summarize(per_fold: pl.DataFrame, by: Sequence[str] = (S.REGION,)) -> pl.DataFrame:
    """Means of fold metrics per group of `by`; `by=()` gives one row over all region-folds."""
    present = [c for c in per_fold.columns if c in POINT_METRICS or c.split("_")[0] in INTERVAL_METRICS]
    aggs = [*(pl.col(m).mean() for m in present), pl.len().alias("folds")]
    if not by:
        return per_fold.select(aggs)
    return per_fold.group_by(list(by), maintain_order=True).agg(aggs).sort(list(by))


def holdout_scores(pred: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """Registry figures per region over holdout folds `k`: `mase, mae, coverage_80, coverage_95,
    width_80, folds` (coverage as a share 0-1). `pred` is `region, k, y, yhat, lo_*, hi_*` of the
    80 and 95 % intervals; `scales` is `region, scale` of the training rows before the holdout.
    """
    S.require_columns(pred, (S.REGION, K, Y, YHAT, *interval_columns(LEVELS)), "holdout_scores(pred)")
    S.require_columns(scales, (S.REGION, SCALE), "holdout_scores(scales)")
    return (
        pred.join(scales, on=S.REGION)
        .group_by(S.REGION)
        .agg(
            mase().alias("mase"),
            mae().alias("mae"),
            covered(80).mean().alias("coverage_80"),
            covered(95).mean().alias("coverage_95"),
            width(80).alias("width_80"),
            pl.col(K).n_unique().alias("folds"),
        )
        .sort(S.REGION)
    )
