"""Scale-out: ingest rows/s, train and backtest wall time and memory, inline vs local pool vs Dask.

Usage: .venv/bin/python bench/scale.py --regions 100,1000 --days 60 [--budget 600] [--stages backtest]
Synthetic demo regions (plus the four real ones) are generated, written to Parquet and ingested;
then forecasts are trained, and grid load backtested (3 folds of 24 h, the CLI's default models, refit
at every fold), inline, on a local process pool and on a Dask LocalCluster. The backtest fans out
by groups of at most 32 regions (`pipelines.backtest.tasks`): each task names the store version and
its regions, and its worker reads only those; `backtest_worker_peak_*_mb` is a worker's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast.evaluation.plan import BacktestSpec
from pipelines.backtest.data import read_store_data
from pipelines.backtest.engine import run_backtest
from pipelines.config.region_files import add_regions, load_catalog
from pipelines.config.settings import Settings
from pipelines.demo import demo_frames
from pipelines.executor import DaskExecutor, LocalExecutor
from pipelines.ingest.observations import ingest_file
from pipelines.store import Store
from pipelines.training.train import run_train

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
BACKTEST = BacktestSpec(horizon=24, folds=3, models=("seasonal_naive_baseline", "seasonal_naive"))


def _rss_mb() -> float:
    """Peak RSS of this (driver) process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _worker_rss_mb_of(_: int) -> float:
    return _worker_rss_mb()


def _reset_peak(_: int = 0) -> None:
    """Reset this process's peak RSS (Linux); a spawned worker inherits its parent's otherwise."""
    Path("/proc/self/clear_refs").write_text("5")
    time.sleep(0.5)  # hold the worker, so that each of a pool's workers takes one reset


def _worker_peak_mb(_: int = 0) -> float:
    """Peak RSS of this worker process since its reset (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
            break
    else:
        peak = _rss_mb()
    time.sleep(0.5)  # as in _reset_peak: each worker answers once
    return peak


def backtest_seconds(store: Store, settings: Settings, kind: str) -> tuple[float, int, float | None]:
    """Wall seconds of a 3-fold grid-load backtest of every region (reading included), rows scored
    (model x region x fold), and the largest worker peak RSS in MB (None inline)."""
    t = time.perf_counter()
    data = read_store_data(store, settings)
    peak = None
    if kind == "inline":
        report = run_backtest(data, BACKTEST)
    elif kind == "local":
        with LocalExecutor(workers=2) as pool:
            pool.map(_reset_peak, [0, 1])
            report = run_backtest(data, BACKTEST, pool)
            peak = max(pool.map(_worker_peak_mb, [0, 1]))
    else:
        with DaskExecutor(workers=2) as cluster:
            cluster.client.run(_reset_peak)
            report = run_backtest(data, BACKTEST, cluster)
            peak = max(cluster.client.run(_worker_peak_mb).values())
    return time.perf_counter() - t, report.per_fold.height, peak


def run(
    n: int,
    days: int,
    root: Path,
    kinds: list[str],
    deadline: float = float("inf"),
    stages: tuple[str, ...] = ("train", "backtest"),
) -> dict:
    """One scale point: returns its figures; kinds not started by `deadline` are marked skipped."""
    shutil.rmtree(root, ignore_errors=True)
    settings = Settings(home=root / "home")
    catalog = load_catalog(settings)
    t = time.perf_counter()
    observations, _, made, _ = demo_frames(catalog, settings, NOW, days, seed=7, synthetic_regions=n)
    generate = time.perf_counter() - t
    add_regions(settings, made)
    path = root / "observations.parquet"
    observations.drop("ingested_at", "issued_at").write_parquet(path)
    store = Store(settings.tables)
    t = time.perf_counter()
    report = ingest_file(store, settings, path, "long", now=NOW)
    ingest_s = time.perf_counter() - t
    figures = {
        "regions": len(made) + 4, "rows": observations.height, "generate_s": round(generate, 1),
        "ingest_rows_per_s": round(report.rows_read / ingest_s), "accepted": report.accepted,
    }
    for kind in kinds if "train" in stages else []:
        home = root / f"train-{kind}"
        shutil.copytree(settings.home, home)
        kind_settings = settings.model_copy(update={"home": home})
        kind_store = Store(kind_settings.tables)
        t = time.perf_counter()
        if kind == "inline":
            run_train(kind_store, kind_settings, NOW)
            peak = _rss_mb()
        elif kind == "local":
            with LocalExecutor(workers=2) as pool:
                run_train(kind_store, kind_settings, NOW, executor=pool)
                peak = max(pool.map(_worker_rss_mb_of, [0, 1]))
        else:
            with DaskExecutor(workers=2) as cluster:
                run_train(kind_store, kind_settings, NOW, executor=cluster)
                peak = max(cluster.client.run(_worker_rss_mb).values())
        figures[f"train_{kind}_s"] = round(time.perf_counter() - t, 1)
        figures[f"worker_rss_{kind}_mb"] = round(peak)
    for kind in kinds if "backtest" in stages else []:
        if time.perf_counter() > deadline:
            figures[f"backtest_{kind}_s"] = "skipped"
            continue
        seconds, region_folds, peak = backtest_seconds(store, settings, kind)
        figures[f"backtest_{kind}_s"] = round(seconds, 1)
        figures["backtest_model_region_folds"] = region_folds
        if peak is not None:
            figures[f"backtest_worker_peak_{kind}_mb"] = round(peak)
    figures["driver_peak_mb"] = round(_rss_mb())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", default="100,1000")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--executors", default="inline,local,dask")
    parser.add_argument("--budget", type=float, default=600, help="Stop starting new points after this.")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/headroom-scale"))
    parser.add_argument("--stages", default="train,backtest", help="After ingest: train, backtest or both.")
    args = parser.parse_args()
    started = time.perf_counter()
    for n in (int(x) for x in args.regions.split(",")):
        if time.perf_counter() - started > args.budget:
            print(f"N={n}: skipped, time budget of {args.budget:.0f} s used")
            continue
        deadline = started + args.budget
        stages = tuple(args.stages.split(","))
        figures = run(n, args.days, args.dir / f"n{n}", args.executors.split(","), deadline, stages)
        print(" ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
