"""Drift: the live error of published forecasts against the error their backtest promised."""

from __future__ import annotations

import polars as pl

from forecast import schema as S
from forecast.evaluation.metrics import mase
from forecast.schema import SCALE, STEP, Y

AE = "ae"  # absolute error of a published median


def live_errors(forecasts: pl.DataFrame, actual: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Absolute errors of published medians against what was observed: `region, issued_at, step, ae`.

    `forecasts` holds published rows `region, issued_at, ts, value` of one target at quantile 0.5;
    only the first `horizon` hours of each issue are scored, as the backtest scores them.
    """
    stepped = forecasts.with_columns(
        pl.col(S.TS).rank("dense").over(S.REGION, S.ISSUED_AT).cast(pl.Int32).alias(STEP)
    ).filter(pl.col(STEP) <= horizon)
    return stepped.join(
        actual.select(S.REGION, S.TS, pl.col(S.VALUE).alias(Y)), on=[S.REGION, S.TS]
    ).select(S.REGION, S.ISSUED_AT, STEP, (pl.col(Y) - pl.col(S.VALUE)).abs().alias(AE))


def drift_ratios(
    errors: pl.DataFrame, scales: pl.DataFrame, backtest_mase: dict[str, float]
) -> pl.DataFrame:
    """Per region: live MASE, backtest MASE, their ratio and how many forecast hours were scored.

    `scales` is `region, scale` (`metrics.seasonal_naive_scale` of the observed series).
    """
    expected = pl.DataFrame(
        {S.REGION: list(backtest_mase), "backtest_mase": list(backtest_mase.values())},
        schema={S.REGION: pl.String, "backtest_mase": pl.Float64},
    )
    return (
        errors.join(scales.select(S.REGION, SCALE), on=S.REGION)
        .group_by(S.REGION)
        .agg(pl.len().alias("scored_hours"), mase(pl.col(AE)).alias("live_mase"))
        .join(expected, on=S.REGION)
        .select(
            S.REGION, "scored_hours", "live_mase", "backtest_mase",
            (pl.col("live_mase") / pl.col("backtest_mase")).alias("ratio"),
        )
        .sort(S.REGION)
    )
