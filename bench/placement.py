"""Speed of flexible-compute placement (issue #18) on synthetic joint headroom paths (prints figures).

Goals: 4 regions x every start in 7 days x 200 paths answered in <= 50 ms; 200 regions in <= 1 s
including a split across 2 regions. The long frame -> cube conversion happens once per forecast
issue and is timed separately. Last, what split pruning loses against the exhaustive pair search.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/placement.py
    .venv/bin/python bench/placement.py --regions 200 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecast import schema as S  # noqa: E402
from forecast.placement import PlacementParams, PlacementQuery, headroom_cube, place  # noqa: E402

T0 = datetime(2026, 6, 15, 0, tzinfo=UTC)
HOURS, SAMPLES = 168, 200


def synthetic_paths(n_regions: int, seed: int = 0) -> pl.DataFrame:
    """Headroom paths with a daily cycle, a random-walk error and a shock shared across regions."""
    rng = np.random.default_rng(seed)
    t = np.arange(HOURS)
    base = rng.uniform(150, 400, (n_regions, 1, 1))
    daily = rng.uniform(40, 120, (n_regions, 1, 1)) * np.sin(2 * np.pi * (t - rng.integers(0, 24)) / 24)
    shared = rng.normal(0, 6, (1, SAMPLES, HOURS)).cumsum(axis=-1)
    own = rng.normal(0, 6, (n_regions, SAMPLES, HOURS)).cumsum(axis=-1)
    values = base + daily + shared + own
    regions = np.array([f"r{i:03d}" for i in range(n_regions)])
    ts = pl.datetime_range(T0, T0 + timedelta(hours=HOURS - 1), "1h", time_zone="UTC", eager=True)
    return pl.DataFrame({
        S.REGION: np.repeat(regions, SAMPLES * HOURS),
        S.SAMPLE: np.tile(np.repeat(np.arange(SAMPLES, dtype=np.int32), HOURS), n_regions),
        S.TS: pl.concat([ts] * (n_regions * SAMPLES)),
        S.VALUE: values.reshape(-1),
    })


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall seconds over `repeat` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def speed(n_regions: int, repeat: int) -> None:
    frame = synthetic_paths(n_regions)
    build, cube = timed(lambda: headroom_cube(frame, T0, "bench"), max(1, repeat // 3))
    print(f"\n{n_regions} regions x {SAMPLES} paths x {HOURS} h ({frame.height:,} rows)")
    print(f"  long frame -> cube (once per issue)       {build * 1e3:8.1f} ms")
    cases = {
        "single region, all starts, 300 MW x 8 h": PlacementQuery(mw=300, hours=8),
        "split over 2 regions, 450 MW x 8 h": PlacementQuery(mw=450, hours=8, split=True),
        "interruptible, 300 MW x 40 h": PlacementQuery(mw=300, hours=40, interruptible=True),
    }
    for name, query in cases.items():
        secs, answer = timed(lambda q=query: place(cube, q, now=T0), repeat)
        best = answer.plans[0]
        p = getattr(best, "p_uninterrupted", None) or getattr(best, "p_finish_by_deadline", 0.0)
        print(f"  {name:<42}{secs * 1e3:8.1f} ms   best p {p:.3f}, {len(answer.plans)} plans")


def pruning(n_regions: int, repeat: int) -> None:
    """Best split found with the default pruning vs every pair, per MW asked."""
    cube = headroom_cube(synthetic_paths(n_regions, seed=1), T0, "bench")
    full = PlacementParams(split_candidates=n_regions)
    print(f"\nsplit pruning on {n_regions} regions (default k={PlacementParams().split_candidates} "
          f"regions per start vs all {n_regions * (n_regions - 1) // 2} pairs)")
    for mw in (600, 700, 800):
        query = PlacementQuery(mw=mw, hours=8, split=True, top=10)
        t_k, pruned = timed(lambda q=query: place(cube, q, now=T0), repeat)
        t_all, exact = timed(lambda q=query: place(cube, q, now=T0, params=full), 1)
        mean_k = statistics.mean(p.p_uninterrupted for p in pruned.plans)
        mean_all = statistics.mean(p.p_uninterrupted for p in exact.plans)
        print(f"  {mw} MW x 8 h: best p pruned {pruned.plans[0].p_uninterrupted:.3f} vs all pairs "
              f"{exact.plans[0].p_uninterrupted:.3f}; mean p of top 10 {mean_k:.3f} vs {mean_all:.3f}; "
              f"{t_k * 1e3:.0f} ms vs {t_all * 1e3:.0f} ms")


def store_read(n_regions: int, repeat: int) -> None:
    """The service's path: an issue's paths in the Delta table -> cube (once per issue) -> answer."""
    from pipelines.placement import answers  # bench only: the core timings stay import-light
    from pipelines.store import Store

    frame = synthetic_paths(n_regions).with_columns(
        pl.lit(T0).alias(S.ISSUED_AT), pl.lit("bench").alias(S.MODEL_VERSION)
    )
    with tempfile.TemporaryDirectory() as root:
        store = Store(root)
        store.append("headroom_paths", frame)
        store.append("forecasts", frame.filter(pl.col(S.SAMPLE) == 0).select(
            S.REGION, pl.lit(S.HEADROOM).alias(S.TARGET), S.ISSUED_AT, S.TS, pl.lit(0.5).alias(S.QUANTILE),
            S.VALUE, S.MODEL_VERSION,
        ))
        files = sum(f.stat().st_size for f in Path(root, "headroom_paths").rglob("*.parquet"))
        cold, _ = timed(lambda: answers.build_cube(store), max(1, repeat // 3))
        query = PlacementQuery(mw=300, hours=8)
        warm, _ = timed(lambda: answers.run_placement(store, None, query, T0), repeat)  # type: ignore[arg-type]
    print(f"\nstore path, {n_regions} regions: {files / 1e6:.2f} MB of parquet per issue (float32)")
    print(f"  Delta read + cube (once per issue)        {cold * 1e3:8.1f} ms")
    print(f"  run_placement, cube cached (2 version checks + place) {warm * 1e3:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, nargs="*", default=[4, 200])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pruning-regions", type=int, default=30)
    args = parser.parse_args()
    for n in args.regions:
        speed(n, args.repeat)
    for n in args.regions:
        store_read(n, args.repeat)
    if args.pruning_regions:
        pruning(args.pruning_regions, max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
