"""Origin-anchored lag and rolling features: every value is read at or before the forecast origin.

A design row is (region, origin, step, ts = origin + step hours). Lags are taken at the same hour
of the latest day (and week) that is not after the origin, so one model serves every step of the
horizon (direct strategy) and no feature can look past the origin, whatever the step.
"""

from __future__ import annotations

import polars as pl

from forecast import schema as S

ORIGIN, STEP = "origin", "step"
ROLLING = ("last", "last_diff", "mean_24", "std_24", "min_24", "max_24", "mean_168", "std_168")
LAGS = ("lag_day", "lag_day2", "lag_week", "mean_day7")
LAG_FEATURES = (*ROLLING, *LAGS)
SCALE = "scale"


def design_frame(origins: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Cross `region, origin` with steps 1..horizon into `region, origin, step, ts`."""
    steps = pl.DataFrame({STEP: pl.int_range(1, horizon + 1, eager=True).cast(pl.Int32)})
    return (
        origins.select(S.REGION, ORIGIN)
        .join(steps, how="cross")
        .with_columns((pl.col(ORIGIN) + pl.duration(hours=pl.col(STEP))).alias(S.TS))
    )


def rolling_stats(history: pl.DataFrame) -> pl.DataFrame:
    """Trailing statistics at every hour of a regular history: windows end at (include) that hour."""
    v = pl.col(S.VALUE)
    return history.sort(S.REGION, S.TS).select(
        S.REGION,
        pl.col(S.TS).alias(ORIGIN),
        v.alias("last"),
        (v - v.shift(1)).over(S.REGION).alias("last_diff"),
        v.rolling_mean(24, min_samples=1).over(S.REGION).alias("mean_24"),
        v.rolling_std(24, min_samples=2).over(S.REGION).alias("std_24"),
        v.rolling_min(24, min_samples=1).over(S.REGION).alias("min_24"),
        v.rolling_max(24, min_samples=1).over(S.REGION).alias("max_24"),
        v.rolling_mean(168, min_samples=1).over(S.REGION).alias(SCALE),
        v.rolling_std(168, min_samples=2).over(S.REGION).alias("std_168"),
    ).with_columns(pl.col(SCALE).alias("mean_168"))


def same_hour_mean(values: pl.DataFrame, days: int) -> pl.DataFrame:
    """`region, ts, value`: mean of the value at ts and at the same hour of the `days - 1` days before."""
    v = pl.col(S.VALUE)
    return values.sort(S.REGION, S.TS).with_columns(
        pl.mean_horizontal([v.shift(24 * d).over(S.REGION) for d in range(days)]).alias(S.VALUE)
    )


def _lag(design: pl.DataFrame, values: pl.DataFrame, name: str, period: int, extra: int) -> pl.DataFrame:
    """Value at ts - period * (ceil(step / period) + extra): the latest same-phase hour <= origin."""
    back = period * ((pl.col(STEP) + period - 1) // period + extra)
    key = f"_{name}_ts"
    return design.with_columns((pl.col(S.TS) - pl.duration(hours=back)).alias(key)).join(
        values.rename({S.TS: key, S.VALUE: name}), on=[S.REGION, key], how="left"
    ).drop(key)


def add_lag_features(design: pl.DataFrame, history: pl.DataFrame, normalise: bool = True) -> pl.DataFrame:
    """Adds rolling stats at the origin and same-hour lags; divided by the trailing weekly mean.

    Dividing by the weekly mean at the origin (`scale`, kept as a column) puts regions of any size
    on one footing, which a global model needs.
    """
    S.require_columns(design, (S.REGION, ORIGIN, STEP, S.TS), "add_lag_features(design)")
    values = history.select(S.REGION, S.TS, S.VALUE)
    out = design.join(rolling_stats(history), on=[S.REGION, ORIGIN], how="left")
    out = _lag(out, values, "lag_day", 24, 0)
    out = _lag(out, values, "lag_day2", 24, 1)
    out = _lag(out, values, "lag_week", 168, 0)
    out = _lag(out, same_hour_mean(values, 7), "mean_day7", 24, 0)
    if not normalise:
        return out
    safe = pl.when(pl.col(SCALE).abs() > 1e-9).then(pl.col(SCALE)).otherwise(1.0)
    return out.with_columns([(pl.col(c) / safe).alias(c) for c in LAG_FEATURES])
