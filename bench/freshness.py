"""Freshness: seconds from an accepted `POST /v1/observations` to a served forecast that uses it.

    .venv/bin/python bench/freshness.py [--trials 3] [--refresh interval:30] [--home PATH]

Starts `headroom serve` (with its scheduler, default schedules unless --refresh is given) on
127.0.0.1 over a copy of a trained demo home. Each trial posts the next hour of grid load for
one region and polls that region's forecast until its `data_as_of` reaches the posted hour.
Prints each trial's seconds and the worst; the goal is 60 s with default settings. Loopback only,
every wait bounded (a trial that does not see its hour within --timeout counts as a miss).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.demo_home import NOW, demo_home  # noqa: E402

KEY = "freshness-bench-key-0123456789ab"
REGION = "us-nova"
FORECAST = f"/v1/regions/{REGION}/forecast?target=grid_load&horizon=24"


def post_next_hour(base: str, hour: datetime, value: float) -> None:
    """Post one grid-load observation for `hour`; it must be accepted."""
    row = {"region": REGION, "series": "grid_load", "ts": hour.isoformat(), "value": value, "unit": "MW"}
    response = httpx.post(
        f"{base}/v1/observations", json={"observations": [row]},
        headers={"Authorization": f"Bearer {KEY}"}, timeout=30,
    )
    response.raise_for_status()
    assert response.json()["accepted"] == 1, response.text


def seconds_until_served(base: str, hour: datetime, timeout: float) -> float | None:
    """Seconds until the served forecast's data reaches `hour` (None if not within `timeout`)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        body = httpx.get(base + FORECAST, timeout=10).json()
        if datetime.fromisoformat(body["data_as_of"]) >= hour:
            return time.monotonic() - start
        time.sleep(0.25)  # polling the served forecast, bounded by the timeout
    return None


def measure(home: Path, log: Path, trials: int, timeout: float, **env: str) -> list[float | None]:
    """Trials of post-then-wait against a server with its scheduler over `home`."""
    from tests.reliability.conftest import serve

    served = serve(home, log, scheduler=True, HEADROOM_API_KEYS=KEY, **env)
    try:
        first = datetime.fromisoformat(httpx.get(served.base + FORECAST, timeout=10).json()["data_as_of"])
        out: list[float | None] = []
        for i in range(1, trials + 1):
            hour = first + timedelta(hours=i)
            start = time.monotonic()
            post_next_hour(served.base, hour, 14000.0 + 10 * i)
            waited = seconds_until_served(served.base, hour, timeout)
            out.append(None if waited is None else time.monotonic() - start)
        return out
    finally:
        served.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--refresh", default=None, help="HEADROOM_SCHEDULE_REFRESH (default: settings)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--home", type=Path, default=None, help="a trained home to copy")
    args = parser.parse_args()
    env = {"HEADROOM_SCHEDULE_REFRESH": args.refresh} if args.refresh else {}
    with tempfile.TemporaryDirectory(prefix="headroom-fresh-") as tmp:
        work = Path(tmp)
        source = args.home or demo_home(work / "source", now=NOW)
        home = work / "home"
        shutil.copytree(source, home)
        results = measure(home, work / "server.log", args.trials, args.timeout, **env)
    for i, seconds in enumerate(results, 1):
        took = f"{seconds:.1f} s" if seconds is not None else f"not served in {args.timeout} s"
        print(f"trial {i}: {took}")
    seen = [s for s in results if s is not None]
    if seen:
        print(f"freshness: median {statistics.median(seen):.1f} s, worst {max(seen):.1f} s "
              f"(goal 60 s; refresh schedule {args.refresh or 'default'})")
    sys.exit(0 if len(seen) == len(results) and max(seen) <= 60 else 1)


if __name__ == "__main__":
    main()
