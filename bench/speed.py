"""Speed of the default forecaster against mlforecast: 200 synthetic regions x 1 year, fit + predict.

Moved here from bench/accuracy.py (its `--only speed`); the synthetic regions come from
pipelines.demo.synthetic. Needs the bench extra (mlforecast, psutil). Ours runs inline (one
process; LightGBM with 2 threads) and, with `--workers N`, as `headroom train` runs a fleet: the
regions cut into the training groups of at most 32 (`pipelines.training.train.train_groups`),
each group's selection fitted and predicted in a pool of N spawned processes with one thread each.

    OMP_NUM_THREADS=1 .venv/bin/python bench/speed.py --regions 200 [--workers 2] [--no-inline]
        [--candidates seasonal_naive,lightgbm,ensemble]
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/speed.py --regions 32 --profile
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from peers import nixtla  # noqa: E402

from forecast import schema as S  # noqa: E402
from forecast.selection import CANDIDATES, SelectionParams, fit_default  # noqa: E402

H, SEASON = 24, 24
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


def selection(candidates) -> SelectionParams:
    return SelectionParams(candidates=candidates)


def one_thread_selection(candidates) -> SelectionParams:
    """`selection`, with LightGBM on one thread: as each process of a pool (or the profile) runs it."""
    base = selection(candidates)
    return replace(base, lightgbm=replace(base.lightgbm, num_threads=1))


def mlforecast_model():
    """mlforecast as a competent user sets it up for hourly load: recursive, lags 1-24 and 168."""
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, RollingStd

    model = lgb.LGBMRegressor(n_estimators=300, learning_rate=0.05, num_leaves=31, verbose=-1, n_jobs=2)
    return MLForecast(
        models={"mlforecast_lgbm": model}, freq="1h",
        lags=[1, 2, 3, 24, 48, 168],
        lag_transforms={1: [RollingMean(24), RollingStd(24)], 24: [RollingMean(168)]},
        date_features=["hour", "weekday", "month"]  # polars names: frames are polars, num_threads=2,
    )



def _fit_predict(data: pl.DataFrame, cal: dict, tz: dict, params: SelectionParams) -> int:
    """Fit the selection on `data` and predict: the number of forecast rows."""
    model, _ = fit_default(data, cal, tz, horizon=H, season=SEASON, params=params)
    return model.predict(H, QUANTILES).height


def pooled(data: pl.DataFrame, cal: dict, tz: dict, candidates, workers: int) -> float:
    """Wall seconds of the training groups fitted and predicted in a pool of `workers` processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from pipelines.executor import one_thread_per_worker
    from pipelines.training.train import train_groups

    params = one_thread_selection(candidates)
    parts = [data.filter(pl.col(S.REGION).is_in(g)) for g in train_groups(data[S.REGION].unique().to_list())]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=one_thread_per_worker
    ) as pool:
        n = len(parts)
        rows = sum(pool.map(_fit_predict, parts, [cal] * n, [tz] * n, [params] * n))
    assert rows == data[S.REGION].n_unique() * H * len(QUANTILES)
    return time.perf_counter() - t0


def profile(data: pl.DataFrame, cal: dict, tz: dict, candidates) -> None:
    """cProfile of one training group fitted and predicted inline, one thread: where the time goes."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.runcall(_fit_predict, data, cal, tz, one_thread_selection(candidates))
    print(f"  one group of {data[S.REGION].n_unique()} regions inline: {time.perf_counter() - t0:.1f}s")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def speed(n_regions: int, candidates, workers: int, inline: bool, profile_only: bool = False) -> None:
    import psutil

    from pipelines.demo import synthetic as syn

    end = datetime(2026, 6, 1, tzinfo=UTC)
    ts = syn.hourly_index(end, 365)
    rng = np.random.default_rng(11)
    frames, cal, tz = [], {}, {}
    for i in range(1, n_regions + 1):
        region, params = syn.synthetic_region(i, rng)
        frames.append(pl.DataFrame({S.REGION: region.id, S.TS: ts,
                                    S.VALUE: syn.synthetic_load(region, ts, end, params, i)}))
        cal[region.id], tz[region.id] = region.holidays, region.timezone
    data = pl.concat(frames)
    print(f"\n### speed: {n_regions} regions x {ts.len()} hours = {data.height} rows", flush=True)
    if profile_only:
        profile(data, cal, tz, candidates)
        return
    proc = psutil.Process()
    t_ours = float("inf")
    if inline:
        t0 = time.perf_counter()
        model, _ = fit_default(data, cal, tz, horizon=H, season=SEASON, params=selection(candidates))
        t_fit = time.perf_counter() - t0
        model.predict(H, QUANTILES)
        t_ours = time.perf_counter() - t0
        print(f"  ours inline ({','.join(candidates)}): fit {t_fit:.1f}s, fit+predict {t_ours:.1f}s, "
              f"rss {proc.memory_info().rss / 1e9:.2f} GB", flush=True)
    if workers:
        t_pool = pooled(data, cal, tz, candidates, workers)
        print(f"  ours in {workers} processes, groups of <= 32: fit+predict {t_pool:.1f}s", flush=True)
        t_ours = min(t_ours, t_pool)
    from mlforecast.utils import PredictionIntervals

    t0 = time.perf_counter()
    mlf = mlforecast_model().fit(nixtla(data), prediction_intervals=PredictionIntervals(n_windows=4, h=H))
    mlf.predict(H, level=[80, 95])
    t_mlf = time.perf_counter() - t0
    print(f"  mlforecast LightGBM + conformal intervals: fit+predict {t_mlf:.1f}s")
    print(f"  goal: <= 60 s and no slower than mlforecast -> ours {t_ours:.1f}s vs {t_mlf:.1f}s")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0, help="Also time the training groups in a pool.")
    parser.add_argument("--no-inline", action="store_true", help="Skip the inline (one process) run.")
    parser.add_argument(
        "--candidates", default=",".join(CANDIDATES),
        help="Default: the default selection. seasonal_naive,lightgbm,ensemble: the light set.",
    )
    parser.add_argument(
        "--profile", action="store_true", help="Only profile the regions as one group, inline (--regions 32)."
    )
    args = parser.parse_args()
    speed(args.regions, tuple(args.candidates.split(",")), args.workers, not args.no_inline, args.profile)


if __name__ == "__main__":
    main()
