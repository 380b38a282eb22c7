"""kill -9 during an ingest or a retrain: tables stay readable, a rerun accounts exactly, forecasts serve.

A few trials here; `bench/crash.py` runs 20 and more with random kill points and prints the figures.
"""

from __future__ import annotations

import importlib
import shutil
import sys

import pytest

crash = importlib.import_module("bench.crash")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash")
    home, _, second = crash.prepare(work, hours=600, seed=3)
    return work, home, second, crash.reference(home, second, work)


@pytest.mark.parametrize("fraction", [0.2, 0.9, 1.05])
def test_ingest_killed__tables_readable_nothing_lost_and_rerun_accounts_exactly(prepared, fraction):
    work, home, second, ref = prepared
    trial = crash.ingest_trial(home, second, ref, fraction * ref.seconds, work)
    assert crash.passed(trial), trial


def test_server_killed_during_retrain__previous_forecast_still_serves_after_restart(demo_copy, tmp_path):
    trial = crash.server_trial(demo_copy, 0.3, "crash-test-key-0123456789", tmp_path / "server.log")
    assert all(trial["checks"].values()), trial
    assert trial["status"] == 200 and trial["after"] is not None
    shutil.rmtree(tmp_path / "home", ignore_errors=True)


@pytest.mark.parametrize("delay", [0.8, 2.5, 5.0])
def test_scheduler_killed_during_retrain__registry_and_store_consistent_next_run_completes(
    demo_copy, delay
):
    import os
    import signal
    import subprocess
    import time

    from pipelines.config.settings import Settings
    from pipelines.jobs.runner import run_job
    from pipelines.store import Store

    env = {**os.environ, "HEADROOM_HOME": str(demo_copy)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "jobs", "run", "retrain"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)  # a kill point somewhere in start-up, fitting, backtesting or writing
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    settings = Settings(home=demo_copy)
    store = Store(settings.tables)
    for table in crash.TABLES:
        store.read(table)
    assert crash.registry_consistent(settings)
    assert run_job("retrain", settings, store).status == "ok"
    assert crash.registry_consistent(settings)
