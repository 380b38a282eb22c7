"""Champion and challenger: score a fitted model on the newest folds, and decide which one serves.

A challenger is fitted on each region's data up to its holdout (the last `folds * horizon` hours)
and then, at each fold origin, re-anchored on the data known by then (`update`) and asked for
`horizon` hours; the champion is scored the same way on the same origins. What is scored is what
would serve: the promoted challenger keeps the parameters fitted before the holdout and is
re-anchored on the latest data when it forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from forecast import schema as S
from forecast.models.base import ForecastModel

Y, YHAT = "y", "yhat"
SCORED_QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


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
    ks = pl.DataFrame({"k": list(range(params.folds))})
    origins = ends.join(ks, how="cross").select(
        S.REGION, "k",
        (pl.col("_end") - pl.duration(hours=(params.folds - pl.col("k")) * params.horizon)).alias("origin"),
    ).sort(S.REGION, "k")
    train = (
        frame.join(ends, on=S.REGION)
        .filter(pl.col(S.TS) <= pl.col("_end") - pl.duration(hours=params.hours))
        .drop("_end")
    )
    return train, origins


def seasonal_scale(train: pl.DataFrame, season: int) -> pl.DataFrame:
    """In-sample seasonal-naive MAE per region on the training rows: `region, scale`."""
    return (
        train.sort(S.REGION, S.TS)
        .group_by(S.REGION, maintain_order=True)
        .agg((pl.col(S.VALUE) - pl.col(S.VALUE).shift(season)).abs().mean().alias("scale"))
    )


def fold_predictions(
    model: ForecastModel, frame: pl.DataFrame, origins: pl.DataFrame, horizon: int
) -> pl.DataFrame:
    """`region, k, ts, y, yhat, q_0.025 ... q_0.975` of a fitted model at every fold origin."""
    actual = frame.select(S.REGION, S.TS, pl.col(S.VALUE).alias(Y))
    out = []
    for k in origins["k"].unique().sort().to_list():
        cut = origins.filter(pl.col("k") == k).select(S.REGION, "origin")
        known = frame.join(cut, on=S.REGION).filter(pl.col(S.TS) <= pl.col("origin")).drop("origin")
        wide = (
            model.update(known)
            .predict(horizon, SCORED_QUANTILES)
            .pivot(on=S.QUANTILE, index=[S.REGION, S.TS], values=S.VALUE)
        )
        out.append(wide.with_columns(pl.lit(k).alias("k")).join(actual, on=[S.REGION, S.TS]))
    return pl.concat(out).rename({str(q): f"q_{q}" for q in SCORED_QUANTILES})


def score(predictions: pl.DataFrame, scales: pl.DataFrame) -> pl.DataFrame:
    """Per region: `mase, mae, coverage_80, coverage_95, width_80, folds`, from fold predictions."""
    def inside(lo: float, hi: float) -> pl.Expr:
        return ((pl.col(Y) >= pl.col(f"q_{lo}")) & (pl.col(Y) <= pl.col(f"q_{hi}"))).mean()

    return (
        predictions.join(scales, on=S.REGION)
        .group_by(S.REGION)
        .agg(
            ((pl.col(Y) - pl.col("q_0.5")).abs().mean() / pl.col("scale").first()).alias("mase"),
            (pl.col(Y) - pl.col("q_0.5")).abs().mean().alias("mae"),
            inside(0.1, 0.9).alias("coverage_80"),
            inside(0.025, 0.975).alias("coverage_95"),
            (pl.col("q_0.9") - pl.col("q_0.1")).mean().alias("width_80"),
            pl.col("k").n_unique().alias("folds"),
        )
        .sort(S.REGION)
    )


def backtest_fitted(
    model: ForecastModel, frame: pl.DataFrame, origins: pl.DataFrame, scales: pl.DataFrame,
    params: HoldoutParams,
) -> dict[str, dict[str, float]]:
    """Holdout figures per region of a fitted model: `{region: {mase, mae, coverage_80, ...}}`."""
    preds = fold_predictions(model, frame, origins, params.horizon)
    return {row.pop(S.REGION): row for row in score(preds, scales).iter_rows(named=True)}


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


def live_errors(forecasts: pl.DataFrame, actual: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Absolute errors of published medians against what was observed: `region, issued_at, step, ae`.

    `forecasts` holds published rows `region, issued_at, ts, value` of one target at quantile 0.5;
    only the first `horizon` hours of each issue are scored, as the backtest scores them.
    """
    stepped = forecasts.with_columns(
        pl.col(S.TS).rank("dense").over(S.REGION, S.ISSUED_AT).cast(pl.Int32).alias("step")
    ).filter(pl.col("step") <= horizon)
    return stepped.join(
        actual.select(S.REGION, S.TS, pl.col(S.VALUE).alias(Y)), on=[S.REGION, S.TS]
    ).select(S.REGION, S.ISSUED_AT, "step", (pl.col(Y) - pl.col(S.VALUE)).abs().alias("ae"))


def drift_ratios(
    errors: pl.DataFrame, scales: pl.DataFrame, backtest_mase: dict[str, float]
) -> pl.DataFrame:
    """Per region: live MASE, backtest MASE, their ratio and how many forecast hours were scored."""
    expected = pl.DataFrame(
        {S.REGION: list(backtest_mase), "backtest_mase": list(backtest_mase.values())},
        schema={S.REGION: pl.String, "backtest_mase": pl.Float64},
    )
    return (
        errors.group_by(S.REGION)
        .agg(pl.col("ae").mean().alias("live_mae"), pl.len().alias("scored_hours"))
        .join(scales, on=S.REGION)
        .join(expected, on=S.REGION)
        .select(
            S.REGION, "scored_hours",
            (pl.col("live_mae") / pl.col("scale")).alias("live_mase"), "backtest_mase",
            (pl.col("live_mae") / pl.col("scale") / pl.col("backtest_mase")).alias("ratio"),
        )
        .sort(S.REGION)
    )
