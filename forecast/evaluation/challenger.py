"""Champion and challenger: score a fitted model on the newest folds, and decide which one serves.

A challenger is fitted on each region's data up to its holdout (the last `folds * horizon` hours)
and then, at each fold origin, re-anchored on the data known by then (`update`) and asked for
`horizon` hours; the champion is scored the same way on the same origins. What is scored is what
would serve: the promoted challenger keeps the parameters fitted before the holdout and is
re-anchored on the latest data when it forecasts. Scores come from `forecast.evaluation.metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from forecast import schema as S
from forecast.evaluation.metrics import LEVELS, holdout_scores, quantile_columns
from forecast.models.base import ForecastModel
from forecast.schema import ORIGIN, K, Y

SCORED_COLUMNS = quantile_columns(LEVELS)  # 0.5 -> yhat, 0.1 -> lo_80, ..., 0.975 -> hi_95
SCORED_QUANTILES = tuple(sorted(SCORED_COLUMNS))


@dataclass(frozen=True)
class HoldoutParams:
    """How a challenger is backtested and when it may replace the champion."""

    folds: int = 7
    horizon: int = 24
    season: int = 24
    coverage_low: float = 0.70  # the band the 80 % interval's coverage must fall in to serve
    coverage_high: float = 0.90

    @property
    def hours(self) -> int:
        """Hours held out at the end of every region's series."""
        return self.folds * self.horizon


def split_holdout(frame: pl.DataFrame, params: HoldoutParams) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(training rows, fold origins `region, k, origin`): rows up to each region's holdout start."""
    ends = frame.group_by(S.REGION).agg(pl.col(S.TS).max().alias("_end"))
    ks = pl.DataFrame({K: list(range(params.folds))})
    origins = ends.join(ks, how="cross").select(
        S.REGION, K,
        (pl.col("_end") - pl.duration(hours=(params.folds - pl.col(K)) * params.horizon)).alias(ORIGIN),
    ).sort(S.REGION, K)
    train = (
        frame.join(ends, on=S.REGION)
        .filter(pl.col(S.TS) <= pl.col("_end") - pl.duration(hours=params.hours))
        .drop("_end")
    )
    return train, origins


def fold_predictions(
    model: ForecastModel, frame: pl.DataFrame, origins: pl.DataFrame, horizon: int
) -> pl.DataFrame:
    """`region, k, ts, y, yhat, lo_80, hi_80, lo_95, hi_95` of a fitted model at every fold origin."""
    actual = frame.select(S.REGION, S.TS, pl.col(S.VALUE).alias(Y))
    out = []
    for k in origins[K].unique().sort().to_list():
        cut = origins.filter(pl.col(K) == k).select(S.REGION, ORIGIN)
        known = frame.join(cut, on=S.REGION).filter(pl.col(S.TS) <= pl.col(ORIGIN)).drop(ORIGIN)
        wide = (
            model.update(known)
            .predict(horizon, SCORED_QUANTILES)
            .pivot(on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE)
        )
        out.append(wide.with_columns(pl.lit(k).alias(K)).join(actual, on=[S.REGION, S.TS]))
    return pl.concat(out).rename({str(q): c for q, c in SCORED_COLUMNS.items()})


def backtest_fitted(
    model: ForecastModel, frame: pl.DataFrame, origins: pl.DataFrame, scales: pl.DataFrame,
    params: HoldoutParams,
) -> dict[str, dict[str, float]]:
    """Holdout figures per region of a fitted model: `{region: {mase, mae, coverage_80, ...}}`.

    `scales` is `region, scale` of the training rows (`metrics.seasonal_naive_scale`).
    """
    preds = fold_predictions(model, frame, origins, params.horizon)
    return {row.pop(S.REGION): row for row in holdout_scores(preds, scales).iter_rows(named=True)}


def decide(
    challenger: dict[str, float] | None, champion: dict[str, float] | None, params: HoldoutParams
) -> tuple[bool, str]:
    """Whether the challenger should serve, and why (in words an operator can act on)."""
    if not challenger or challenger.get("mase") is None:
        return False, "challenger has no backtest figures"
    cov = challenger["coverage_80"]
    band = f"[{params.coverage_low:.2f}, {params.coverage_high:.2f}]"
    if not params.coverage_low <= cov <= params.coverage_high:
        return False, f"challenger 80% coverage {cov:.3f} outside the band {band}"
    if not champion or champion.get("mase") is None:
        return True, f"no champion with backtest figures; challenger MASE {challenger['mase']:.3f}"
    if challenger["mase"] < champion["mase"]:
        return True, f"challenger MASE {challenger['mase']:.3f} < champion {champion['mase']:.3f}"
    return False, f"challenger MASE {challenger['mase']:.3f} >= champion {champion['mase']:.3f}"
