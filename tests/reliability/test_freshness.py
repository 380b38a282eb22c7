"""An accepted observation is in the served forecast within 60 s with the default settings: the
in-process scheduler runs `refresh` as soon as new data is accepted (`bench/freshness.py` prints
the seconds)."""

from __future__ import annotations

import importlib


def test_posted_observation__is_served_within_a_minute(demo_copy, tmp_path):
    fresh = importlib.import_module("bench.freshness")
    seconds = fresh.measure(
        demo_copy, tmp_path / "server.log", trials=2, timeout=60,
        HEADROOM_SCHEDULE_RETRAIN="cron:0 0 1 1 *", HEADROOM_SCHEDULE_DRIFT="cron:0 0 1 1 *",
    )
    assert all(s is not None and s < 60 for s in seconds), seconds
    # Well inside the default 30 s refresh interval: the post itself triggered the refresh.
    assert all(s < 20 for s in seconds), seconds
