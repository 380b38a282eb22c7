"""Peers on our folds: statsforecast MSTL, AutoETS, SeasonalNaive; mlforecast LightGBM + conformal.

Each peer is fitted at every origin on the same training rows as ours (gaps filled the same way),
with one thread, and forecasts the longest horizon scored; shorter horizons are its first hours
(as for ours: the service publishes 168 hours and the first 24 are the day ahead).
"""

from __future__ import annotations

import time

import polars as pl

from forecast import schema as S
from forecast.features.history import regularize

LEVELS = (80, 95)
STATS_PEERS = ("SeasonalNaive", "AutoETS", "MSTL")
ML_PEER = "mlforecast_lgbm"
PEERS = (*STATS_PEERS, ML_PEER)


def nixtla(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col(S.REGION).alias("unique_id"),
        pl.col(S.TS).dt.replace_time_zone(None).alias("ds"),
        pl.col(S.VALUE).alias("y"),
    )


def from_nixtla(fc: pl.DataFrame, model: str, cutoffs: pl.DataFrame) -> pl.DataFrame:
    """Our prediction columns (`region, cutoff, ts, yhat, lo_80, ...`) from a Nixtla forecast."""
    return fc.select(
        pl.col("unique_id").alias(S.REGION),
        pl.col("ds").dt.replace_time_zone("UTC").cast(S.UTC_TS).alias(S.TS),
        pl.col(model).alias("yhat"),
        *[pl.col(f"{model}-{s}-{lv}").alias(f"{s}_{lv}") for lv in LEVELS for s in ("lo", "hi")],
        pl.lit(model).alias(S.MODEL),
    ).join(cutoffs.select(S.REGION, S.CUTOFF), on=S.REGION)


def stats_model(name: str):
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    if name == "SeasonalNaive":
        return SeasonalNaive(season_length=24)
    if name == "AutoETS":
        return AutoETS(season_length=24)
    return MSTL(season_length=[24, 168])


def mlforecast_model():
    """mlforecast as a competent user sets it up for hourly load: recursive, lags 1-24 and 168."""
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, RollingStd

    model = lgb.LGBMRegressor(n_estimators=300, learning_rate=0.05, num_leaves=31, verbose=-1, n_jobs=1)
    return MLForecast(
        models={ML_PEER: model},
        freq="1h",
        lags=[1, 2, 3, 24, 48, 168],
        lag_transforms={1: [RollingMean(24), RollingStd(24)], 24: [RollingMean(168)]},
        date_features=["hour", "weekday", "month"],
        num_threads=1,
    )


def peer_folds(
    train: pl.DataFrame, cutoffs: pl.DataFrame, horizon: int, names=PEERS
) -> tuple[pl.DataFrame, dict[str, float]]:
    """Predictions of every named peer from one origin per region (`train` ends at each cutoff)."""
    from mlforecast.utils import PredictionIntervals
    from statsforecast import StatsForecast

    df = nixtla(regularize(train)[0])
    frames, seconds = [], {}
    for name in names:
        t0 = time.perf_counter()
        if name == ML_PEER:
            shortest = df.group_by("unique_id").len()["len"].min()
            # conformal windows of the whole horizon, as many as the shortest series allows (<= 4)
            windows = min(4, max(0, (shortest - 168 - 200) // horizon))
            if windows < 2:
                print(f"  {name}: skipped, {shortest} h is too short for conformal windows of {horizon} h")
                continue
            mlf = mlforecast_model().fit(
                df, prediction_intervals=PredictionIntervals(n_windows=windows, h=horizon)
            )
            fc = mlf.predict(horizon, level=list(LEVELS))
        else:
            sf = StatsForecast(models=[stats_model(name)], freq="1h", n_jobs=1)
            fc = sf.forecast(df=df, h=horizon, level=list(LEVELS))
        frames.append(from_nixtla(fc, name, cutoffs))
        seconds[name] = time.perf_counter() - t0
    return pl.concat(frames, how="diagonal"), seconds
