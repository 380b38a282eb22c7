"""Ingest throughput: N long-format rows from Parquet and CSV, validation and the Delta commit included.

Prints rows/s, peak RSS of the process, and the raw polars read speed of the same file (the
ceiling). Usage: .venv/bin/python bench/ingest.py [--rows 10000000] [--dir /tmp/headroom-bench]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.config import Settings
from pipelines.ingest import ingest_file
from pipelines.store import Store

REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/headroom-bench"))
    parser.add_argument("--formats", default="parquet,csv")
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True)
    frame = make_frame(args.rows)
    n = frame.height
    files = {"parquet": args.dir / "bench.parquet", "csv": args.dir / "bench.csv"}
    for fmt in args.formats.split(","):
        (frame.write_parquet if fmt == "parquet" else frame.write_csv)(files[fmt])
    del frame
    for fmt in args.formats.split(","):
        path = files[fmt]
        t0 = time.perf_counter()
        raw = pl.read_parquet(path) if fmt == "parquet" else pl.read_csv(path, infer_schema=False)
        raw_s = time.perf_counter() - t0
        del raw
        settings = Settings(home=args.dir / f"home-{fmt}")
        store = Store(settings.tables)
        t0 = time.perf_counter()
        report = ingest_file(store, settings, path, "long", now=datetime(2026, 1, 1, tzinfo=UTC))
        ingest_s = time.perf_counter() - t0
        assert report.balanced, report
        print(
            f"{fmt:8s} rows={n:,} ingest={ingest_s:.2f}s -> {n / ingest_s:,.0f} rows/s | "
            f"raw polars read={raw_s:.2f}s -> {n / raw_s:,.0f} rows/s | "
            f"accepted={report.accepted:,} quarantined={report.quarantined:,} | "
            f"peak RSS so far={peak_rss_mb():,.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
