"""Load with writes: forecast reads and observation writes against a local `headroom serve`, for a fixed time.

    .venv/bin/python bench/load.py [--seconds 60] [--readers 6] [--writers 2] [--rows 20] [--home PATH]

Starts the server on 127.0.0.1 over a copy of a demo home (built when --home is not given) with a
write key and without the scheduler. Reader threads ask for forecasts (regions, targets, horizons
and quantiles varied); writer threads post batches of observations, each row a key never written
before. Samples the server's resident memory every second. At the end checks: no error and no
5xx; every row of every accepted write is stored exactly once (and nothing else was written);
memory flat (the last third's median within 15 % of the second third's). Prints the figures;
exit code 1 if a check failed. Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import polars as pl  # noqa: E402

from bench.demo_home import demo_home  # noqa: E402
from forecast import schema as S  # noqa: E402
from pipelines.config.settings import Settings  # noqa: E402
from pipelines.store import Store  # noqa: E402

KEY = "load-bench-key-0123456789abcdef"
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")
TARGETS = ("headroom", "grid_load", "ai_demand", "capacity")
QUANTILES = ("0.1,0.5,0.9", "0.5", "0.05,0.25,0.5,0.75,0.95", "0.01,0.99", "0.33,0.66")
WRITE_T0 = datetime(2015, 1, 1, tzinfo=UTC)  # written keys: temperature hours from here, one each


@dataclass
class Tally:
    """What the clients saw."""

    reads: int = 0
    writes: int = 0
    errors: list[str] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    written: list[tuple[str, datetime]] = field(default_factory=list)  # (region, ts) of accepted rows
    lock: threading.Lock = field(default_factory=threading.Lock)


def reader(base: str, stop: float, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < stop:
            params = {
                "target": rng.choice(TARGETS),
                "horizon": rng.choice((24, 48, 168)),
                "quantiles": rng.choice(QUANTILES),
            }
            if rng.random() < 0.2:
                params["format"] = "csv"
            start = time.perf_counter()
            try:
                response = client.get(f"/v1/regions/{rng.choice(REGIONS)}/forecast", params=params)
                ok = response.status_code == 200
                problem = f"GET {response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                ok, problem = False, f"GET {type(exc).__name__}: {exc}"
            with tally.lock:
                tally.reads += 1
                tally.read_ms.append((time.perf_counter() - start) * 1000)
                if not ok:
                    tally.errors.append(problem)


def writer(base: str, stop: float, rows: int, counter: itertools.count, tally: Tally) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < stop:
            batch = []
            for _ in range(rows):
                n = next(counter)
                region = REGIONS[n % len(REGIONS)]
                ts = WRITE_T0 + timedelta(hours=n // len(REGIONS))
                batch.append(
                    {
                        "region": region,
                        "series": "temperature",
                        "ts": ts.isoformat(),
                        "value": round(10 + (n % 17) * 0.5, 2),
                        "unit": "degC",
                    }
                )
            start = time.perf_counter()
            try:
                response = client.post("/v1/observations", json={"observations": batch}, headers=auth)
                report = response.json() if response.status_code == 200 else {}
                ok = response.status_code == 200 and report.get("accepted") == rows
                problem = f"POST {response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                ok, problem = False, f"POST {type(exc).__name__}: {exc}"
            with tally.lock:
                tally.writes += 1
                tally.write_ms.append((time.perf_counter() - start) * 1000)
                if ok:
                    tally.written.extend((r["region"], datetime.fromisoformat(r["ts"])) for r in batch)
                else:
                    tally.errors.append(problem)


def sample_memory(pid: int, stop: float, samples: list[float]) -> None:
    import psutil

    process = psutil.Process(pid)
    while time.monotonic() < stop:
        samples.append(process.memory_info().rss / 1e6)
        time.sleep(1.0)  # one sample a second, bounded by the run's length


def stored_once(home: Path, written: list[tuple[str, datetime]]) -> dict:
    """Compare the accepted rows with what the observations table holds from the writers."""
    store = Store(Settings(home=home).tables)
    rows = store.read("observations").filter(
        (pl.col(S.SERIES) == S.TEMPERATURE) & pl.col(S.SOURCE).str.starts_with("api:key:")
    )
    per_key = rows.group_by(S.REGION, S.TS).len()
    expected = pl.DataFrame(
        {S.REGION: [r for r, _ in written], S.TS: [t for _, t in written]},
        schema={S.REGION: pl.String, S.TS: S.UTC_TS},
    )
    missing = expected.join(per_key, on=[S.REGION, S.TS], how="anti").height
    duplicated = per_key.filter(pl.col("len") > 1).height
    unexpected = per_key.join(expected, on=[S.REGION, S.TS], how="anti").height
    return {
        "accepted_rows": expected.height,
        "stored_rows": rows.height,
        "missing": missing,
        "duplicated": duplicated,
        "unexpected": unexpected,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run_load(home: Path, seconds: float, readers: int, writers: int, rows: int, log: Path) -> dict:
    """One timed run against a server over `home`; returns the figures and the checks."""
    from tests.reliability.conftest import serve

    served = serve(home, log, HEADROOM_API_KEYS=KEY, HEADROOM_FORECAST_CHECK_SECONDS="2")
    tally, memory = Tally(), []
    try:
        stop = time.monotonic() + seconds
        counter = itertools.count()
        threads = [
            threading.Thread(target=reader, args=(served.base, stop, i, tally)) for i in range(readers)
        ]
        threads += [
            threading.Thread(target=writer, args=(served.base, stop, rows, counter, tally))
            for _ in range(writers)
        ]
        threads.append(threading.Thread(target=sample_memory, args=(served.proc.pid, stop, memory)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        alive = served.proc.poll() is None
    finally:
        served.stop()
    storage = stored_once(home, tally.written)
    third = max(1, len(memory) // 3)
    middle, last = memory[third : 2 * third] or memory, memory[-third:]
    growth = statistics.median(last) / statistics.median(middle) - 1 if memory else 0.0
    server_log = log.read_text(errors="replace")
    figures = {
        "seconds": seconds,
        "reads": tally.reads,
        "writes": tally.writes,
        "reads_per_s": tally.reads / seconds,
        "writes_per_s": tally.writes / seconds,
        "read_p50_ms": percentile(tally.read_ms, 0.5),
        "read_p99_ms": percentile(tally.read_ms, 0.99),
        "write_p50_ms": percentile(tally.write_ms, 0.5),
        "write_p99_ms": percentile(tally.write_ms, 0.99),
        "errors": len(tally.errors),
        "first_errors": tally.errors[:3],
        **storage,
        "rss_mb_first": memory[0] if memory else None,
        "rss_mb_last": memory[-1] if memory else None,
        "rss_mb_median_by_third": [
            round(statistics.median(part), 1)
            for part in (memory[:third], memory[third : 2 * third], memory[2 * third :])
            if part
        ],
        "rss_growth_last_vs_middle": growth,
    }
    figures["checks"] = {
        "no_errors": not tally.errors,
        "server_alive": alive,
        "no_traceback_in_log": "Traceback" not in server_log,
        "every_accepted_row_stored_once": storage["missing"] == 0
        and storage["duplicated"] == 0
        and storage["unexpected"] == 0
        and storage["stored_rows"] == storage["accepted_rows"],
        "memory_flat": growth < 0.15,
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=20, help="rows per write")
    parser.add_argument("--home", type=Path, help="a demo home to copy (default: build a 120-day one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="headroom-load-") as tmp:
        work = Path(tmp)
        source = args.home or demo_home(work / "demo")
        home = work / "run"
        shutil.copytree(source, home)
        figures = run_load(home, args.seconds, args.readers, args.writers, args.rows, work / "server.log")
    for name, value in figures.items():
        if name != "checks":
            print(f"{name:28s} {value:.2f}" if isinstance(value, float) else f"{name:28s} {value}")
    for name, ok in figures["checks"].items():
        print(f"check {name:28s} {'ok' if ok else 'FAILED'}")
    sys.exit(0 if all(figures["checks"].values()) else 1)


if __name__ == "__main__":
    main()
