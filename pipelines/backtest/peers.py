"""`--compare statsforecast,mlforecast`: the peers' cross-validation on exactly our folds.

Peers get each planned region on a regular hourly grid (gaps interpolated over the whole series,
as `forecast.features.history.regularize` does), the same horizon, number of windows, step,
sliding window and refit policy, and their cutoffs are checked against ours before their rows
are added. They are scored on the observed hours only, like our models. Needs the bench extra.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from forecast.evaluation.plan import BacktestSpec, Plan
from forecast.features.history import regularize
from forecast.schema import Y

PEERS = ("statsforecast", "mlforecast")
ETS_INPUT_HOURS = 24 * 7 * 8


class PeerUnavailableError(UserError, ValueError):
    """A peer library that is not installed, or an unknown peer."""


class FoldMismatchError(RuntimeError):
    """A peer's cutoffs differ from ours: its scores would not be comparable."""


def _nixtla(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col(S.REGION).alias("unique_id"),
        pl.col(S.TS).dt.replace_time_zone(None).alias("ds"),
        pl.col(S.VALUE).alias("y"),
    )


def _ours(cv: pl.DataFrame, name: str, levels: Sequence[int]) -> pl.DataFrame:
    return cv.select(
        pl.col("unique_id").alias(S.REGION),
        pl.col("cutoff").dt.replace_time_zone("UTC").cast(S.UTC_TS).alias(S.CUTOFF),
        pl.col("ds").dt.replace_time_zone("UTC").cast(S.UTC_TS).alias(S.TS),
        pl.col(name).alias("yhat"),
        *[pl.col(f"{name}-{side}-{lv}").alias(f"{side}_{lv}") for lv in levels for side in ("lo", "hi")],
        pl.lit(name).alias(S.MODEL),
    )


def _refit(spec: BacktestSpec) -> bool | int:
    return False if spec.refit is None else (True if spec.refit == 1 else spec.refit)


def _statsforecast(df: pl.DataFrame, spec: BacktestSpec) -> list[tuple[str, pl.DataFrame, float]]:
    """SeasonalNaive, AutoETS and MSTL, each through its own `cross_validation` on our folds.

    AutoETS (season 24) sees only the last `ETS_INPUT_HOURS` before each cutoff, as one would run
    it: its states forget older hours anyway, and a fit on years of hourly data takes ~30 s.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    window = spec.window_hours
    ets_input = ETS_INPUT_HOURS if window is None else min(window, ETS_INPUT_HOURS)
    out = []
    for name, model, input_size in (
        ("SeasonalNaive", SeasonalNaive(season_length=spec.season), window),
        ("AutoETS", AutoETS(season_length=24), ets_input),
        ("MSTL", MSTL(season_length=[24, 168]), window),
    ):
        t0 = time.perf_counter()
        cv = StatsForecast(models=[model], freq="1h", n_jobs=1).cross_validation(
            h=spec.horizon,
            df=df,
            n_windows=spec.folds,
            step_size=spec.fold_step,
            input_size=input_size,
            level=list(spec.levels),
            refit=_refit(spec),
        )
        out.append((name, cv, time.perf_counter() - t0))
    return out


def _mlforecast(df: pl.DataFrame, spec: BacktestSpec) -> list[tuple[str, pl.DataFrame, float]]:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, RollingStd
    from mlforecast.utils import PredictionIntervals

    model = lgb.LGBMRegressor(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        verbose=-1,
        n_jobs=1,
        random_state=spec.seed,
        deterministic=True,
    )
    mlf = MLForecast(
        models={"mlforecast_lgbm": model},
        freq="1h",
        lags=[1, 2, 3, 24, 48, 168],
        lag_transforms={1: [RollingMean(24), RollingStd(24)], 24: [RollingMean(168)]},
        date_features=["hour", "weekday", "month"],
    )
    t0 = time.perf_counter()
    cv = mlf.cross_validation(
        df,
        n_windows=spec.folds,
        h=spec.horizon,
        step_size=spec.fold_step,
        refit=_refit(spec),
        input_size=spec.window_hours,
        level=list(spec.levels),
        prediction_intervals=PredictionIntervals(n_windows=4, h=spec.horizon),
    )
    return [("mlforecast_lgbm", cv, time.perf_counter() - t0)]


def run_peers(
    frame: pl.DataFrame, spec: BacktestSpec, plan_: Plan, peers: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(prediction rows, timings `model, region, cutoff, fit_seconds, predict_seconds`, notes)."""
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        raise PeerUnavailableError(f"--compare {unknown}: choose from {', '.join(PEERS)}")
    regions = plan_.cutoffs[S.REGION].unique().to_list()
    history, _ = regularize(frame.filter(pl.col(S.REGION).is_in(regions)).drop_nulls(S.VALUE))
    df = _nixtla(history)
    runners = {"statsforecast": _statsforecast, "mlforecast": _mlforecast}
    actual = frame.drop_nulls(S.VALUE).select(S.REGION, S.TS, pl.col(S.VALUE).alias(Y))
    ours = plan_.cutoffs.select(S.REGION, S.CUTOFF).sort(S.REGION, S.CUTOFF)
    preds, timings = [], []
    for peer in peers:
        try:
            runs = runners[peer](df, spec)
        except ImportError as exc:
            raise PeerUnavailableError(
                f"--compare {peer}: {exc.name or peer} is not installed (pip install 'grid-headroom[bench]')"
            ) from None
        for name, cv, seconds in runs:
            rows = _ours(pl.from_pandas(cv) if not isinstance(cv, pl.DataFrame) else cv, name, spec.levels)
            theirs = rows.select(S.REGION, S.CUTOFF).unique().sort(S.REGION, S.CUTOFF)
            if not theirs.equals(ours):
                raise FoldMismatchError(f"{name}: cutoffs {theirs.height} differ from ours {ours.height}")
            preds.append(rows.join(actual, on=[S.REGION, S.TS]))
            share = seconds / ours.height
            timings.append(
                ours.with_columns(
                    pl.lit(name).alias(S.MODEL),
                    pl.lit(share).alias("fit_seconds"),
                    pl.lit(None, pl.Float64).alias("predict_seconds"),
                ).select(S.MODEL, S.REGION, S.CUTOFF, "fit_seconds", "predict_seconds")
            )
    notes = [f"peers on the same {ours.height} region-folds; their fit_seconds include predicting"]
    columns = [
        S.MODEL,
        S.REGION,
        S.CUTOFF,
        S.TS,
        Y,
        "yhat",
        *[f"{s}_{lv}" for lv in spec.levels for s in ("lo", "hi")],
    ]
    return pl.concat([p.select(columns) for p in preds]), pl.concat(timings), notes
