"""Ingest throughput: N long-format rows from Parquet and CSV, validation and the Delta commit included.

Each step runs in its own process, so a figure's peak RSS is that step's alone: the data is
generated first (not counted), then per format the raw polars read of the file (the ceiling),
the first ingest into an empty store, and a second ingest of the same file (idempotent: every
row unchanged, nothing written).
Usage: .venv/bin/python bench/ingest.py [--rows 10000000] [--dir /tmp/headroom-bench]
       [--formats parquet,csv] [--no-again]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def make_frame(rows: int, seed: int = 7) -> pl.DataFrame:
    """Hourly load for the catalog regions, with 0.5% of values negative (quarantined)."""
    rng = np.random.default_rng(seed)
    per = rows // len(REGIONS)
    regions = np.repeat(np.array(REGIONS), per)
    hours = np.tile(np.arange(per), len(REGIONS))
    start = np.datetime64("2000-01-01T00:00:00", "us")
    ts = start + hours.astype("timedelta64[h]")
    value = 10_000 + 3_000 * np.sin(hours * 2 * np.pi / 24) + rng.normal(0, 200, len(hours))
    value[rng.random(len(value)) < 0.005] = -1.0
    return pl.DataFrame({
        "region": regions, "series": "grid_load",
        "ts": pl.Series(ts).dt.replace_time_zone("UTC"), "value": value.round(3), "unit": "MW",
    })


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_generate(rows: int, folder: Path, formats: list[str]) -> dict:
    frame = make_frame(rows)
    for fmt in formats:
        path = folder / f"bench.{fmt}"
        (frame.write_parquet if fmt == "parquet" else frame.write_csv)(path)
    return {"rows": frame.height}


def step_read(path: Path) -> dict:
    t0 = time.perf_counter()
    frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path, infer_schema=False)
    return {"seconds": time.perf_counter() - t0, "rows": frame.height, "rss_mb": peak_rss_mb()}


def step_ingest(path: Path, home: Path, day: int) -> dict:
    from pipelines.config.settings import Settings
    from pipelines.ingest.observations import ingest_file
    from pipelines.store import Store

    settings = Settings(home=home)
    t0 = time.perf_counter()
    report = ingest_file(Store(settings.tables), settings, path, "long", now=NOW + timedelta(days=day))
    seconds = time.perf_counter() - t0
    assert report.balanced, report
    return {"seconds": seconds, "rss_mb": peak_rss_mb(), **report.model_dump(
        include={"rows_read", "accepted", "unchanged", "quarantined", "observations_written"}
    )}


def run_step(*args: str) -> dict:
    """Run one step in a fresh interpreter; its last output line is the JSON result."""
    out = subprocess.run([sys.executable, __file__, "--step", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/headroom-bench"))
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--no-again", action="store_true", help="Skip the second (idempotent) ingest.")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        if name == "generate":
            result = step_generate(int(rest[0]), Path(rest[1]), rest[2].split(","))
        elif name == "read":
            result = step_read(Path(rest[0]))
        else:
            result = step_ingest(Path(rest[0]), Path(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return
    formats = args.formats.split(",")
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    n = run_step("generate", str(args.rows), str(args.dir), args.formats)["rows"]
    for fmt in formats:
        path, home = args.dir / f"bench.{fmt}", args.dir / f"home-{fmt}"
        raw = run_step("read", str(path))
        first = run_step("ingest", str(path), str(home), "0")
        print(
            f"{fmt:8s} rows={n:,} ingest={first['seconds']:.2f}s -> {n / first['seconds']:,.0f} rows/s, "
            f"peak RSS {first['rss_mb']:,.0f} MB | raw polars read={raw['seconds']:.2f}s -> "
            f"{n / raw['seconds']:,.0f} rows/s, peak RSS {raw['rss_mb']:,.0f} MB | "
            f"accepted={first['accepted']:,} quarantined={first['quarantined']:,}",
            flush=True,
        )
        if not args.no_again:
            again = run_step("ingest", str(path), str(home), "1")
            print(
                f"{'':8s} again: ingest={again['seconds']:.2f}s -> {n / again['seconds']:,.0f} rows/s, "
                f"peak RSS {again['rss_mb']:,.0f} MB | unchanged={again['unchanged']:,} "
                f"written={again['observations_written']:,}",
                flush=True,
            )


if __name__ == "__main__":
    main()
