"""`headroom train` of the default selection on the demo: wall time per stage and candidate, peak memory.

Usage: OMP_NUM_THREADS=1 .venv/bin/python bench/train.py [--days 730] [--horizon 168]
       [--models default] [--processes 1|2] [--executor inline|local] [--workers 2] [--home DIR]

Loads the demo (four regions x grid_load and ai_demand, `--days` of hourly history, as
`make run` does) into a fresh home, then times one `run_train` with the stages and candidates
instrumented from outside (the pipeline code is unchanged): the holdout fit of the challengers
(`fit_challengers`, which runs the selection), its backtest, the registry writes, and the joint
paths and quantiles published. Per candidate: calibration and final fits (`_fit_history`) and the
forecasts from the calibration origins (`_forecast_at`), summed over targets; wall and CPU
seconds (CPU far below wall: the process waited for a core, e.g. spinning threads). Peak RSS is this
process's (and its largest child's: pool workers, or the targets' processes with `--processes 2`,
whose stages and candidates this process cannot see).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast.models.calibrated import CalibratedModel
from forecast.models.gbm import GlobalLightGBM
from forecast.models.naive import SeasonalNaiveRule
from forecast.models.statsm import MSTLETS, SARIMAXModel
from forecast.selection import DefaultModel
from pipelines.config.settings import Settings
from pipelines.demo import run_demo
from pipelines.executor import open_executor
from pipelines.registry import promotion
from pipelines.store import Store
from pipelines.training import publish
from pipelines.training.train import run_train

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
TIMES: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)  # CPU seconds of this process (all its threads)


def _timed(owner: object, name: str, label: Callable[[tuple], str] | str) -> None:
    """Wrap `owner.name` so that its wall time is added to TIMES under `label`."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            key = label(args) if callable(label) else label
            TIMES[key] += time.perf_counter() - start
            CPU[key] += time.process_time() - cpu

    setattr(owner, name, wrapper)


def _instrument() -> None:
    """Stages of the pipeline and phases of each candidate (inline runs only)."""
    _timed(promotion, "fit_challengers", "stage: fit challengers (selection, holdout)")
    _timed(promotion, "backtest_fitted", "stage: holdout backtest")
    _timed(promotion, "register", "stage: registry writes")
    _timed(publish, "_forecast_chunk", "stage: joint paths and quantiles")
    _timed(publish, "write_issue_paths", "stage: write paths")
    for cls in (SeasonalNaiveRule, MSTLETS, SARIMAXModel, GlobalLightGBM):
        _timed(cls, "_fit_history", lambda a: f"candidate {a[0].name}: fits")
        _timed(cls, "_forecast_at", lambda a: f"candidate {a[0].name}: forecasts")
    _timed(DefaultModel, "fit", "selection: DefaultModel.fit (all candidates)")
    _timed(CalibratedModel, "fit", lambda a: f"candidate {a[0].name}: fit total")


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--horizon", type=int, default=168)
    parser.add_argument("--models", default="default", choices=("baseline", "default"))
    parser.add_argument("--executor", default="inline", choices=("inline", "local"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--processes", type=int, default=1,
                        help="train_processes (1: per-candidate times; 2: targets side by side, unseen)")
    parser.add_argument("--home", type=Path, default=None, help="Reuse this home's demo data.")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="bench-train-")) / "home"
    settings = Settings(
        home=home, train_models=args.models, default_horizon=args.horizon, train_processes=args.processes
    )
    store = Store(settings.tables)
    start = time.perf_counter()
    if store.version("observations") is None:
        run_demo(store, settings, NOW, days=args.days, seed=7)
    demo_s = time.perf_counter() - start
    if args.executor == "inline":
        _instrument()
    start, cpu = time.perf_counter(), time.process_time()
    with open_executor(args.executor, None, args.workers) as pool:
        report = run_train(store, settings, NOW, horizon=args.horizon, executor=pool)
    train_s, train_cpu = time.perf_counter() - start, time.process_time() - cpu

    print(f"demo: {args.days} days, regions {sorted(report.regions)}, models={args.models}, "
          f"horizon={args.horizon}, executor={args.executor}, processes={args.processes}"
          + (f" ({args.workers} workers)" if args.executor != "inline" else ""))
    print(f"{'':52s} {'wall':>8s}   {'cpu':>8s}")
    print(f"{'demo load':52s} {demo_s:8.1f} s")
    print(f"{'train total (run_train)':52s} {train_s:8.1f} s {train_cpu:8.1f} s")
    for key in sorted(TIMES):
        print(f"  {key:50s} {TIMES[key]:8.1f} s {CPU[key]:8.1f} s")
    print(f"served: {report.served}")
    print(f"peak RSS: driver {_peak_mb(resource.RUSAGE_SELF):.0f} MB, "
          f"largest child {_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")
    print(f"home: {home}")


if __name__ == "__main__":
    main()
