"""An accepted observation is in the served forecast within 60 s with the default settings: the
in-process scheduler runs `refresh` as soon as new data is accepted (`bench/freshness.py` prints
the seconds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_freshness", ROOT / "bench" / "freshness.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_posted_observation__is_served_within_a_minute(demo_copy, tmp_path):
    fresh = _bench()
    seconds = fresh.measure(
        demo_copy, tmp_path / "server.log", trials=2, timeout=60,
        HEADROOM_SCHEDULE_RETRAIN="cron:0 0 1 1 *", HEADROOM_SCHEDULE_DRIFT="cron:0 0 1 1 *",
    )
    assert all(s is not None and s < 60 for s in seconds), seconds
    # Well inside the default 30 s refresh interval: the post itself triggered the refresh.
    assert all(s < 20 for s in seconds), seconds
