"""Crash trials: kill -9 an ingest (and a server during a retrain) at random points, then check the store.

    .venv/bin/python bench/crash.py [--trials 24] [--server-trials 4] [--hours 2000] [--seed 1]

Ingest trials: a store already holding data; a child process ingests a second file (new rows,
re-delivered rows with new values, bad rows) and is killed with SIGKILL after a random delay
spread over the measured length of a clean ingest. Then: every table must be readable, every row
stored before must still be there, and after re-running the same ingest the store must equal a
clean run's exactly: the same current values, and each accepted, updated or quarantined row
stored once (no duplicate from the killed run's commits). Prints where the kills landed and the
outcome of each check.

Server trials: `headroom serve` over a demo home answers a forecast; new data is posted,
`POST /v1/jobs/retrain/run` starts a champion/challenger retrain, and the server is killed with
SIGKILL part-way. After a restart the forecast must still be served (the previous issue, or the
new one if its commit landed, never a partial one), every table must be readable, every model
version in the registry must pass its checksums, every champion must load, and the next retrain
must complete.

Bounded: loopback only, every wait has a deadline. Exit code 1 if any check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from bench.demo_home import demo_home  # noqa: E402
from forecast import schema as S  # noqa: E402
from pipelines.config.settings import Settings  # noqa: E402
from pipelines.ingest.observations import ingest_file  # noqa: E402
from pipelines.jobs.runner import run_job  # noqa: E402
from pipelines.store import Store, latest_observations  # noqa: E402

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")
TABLES = tuple(S.TABLES)


# --- inputs ----------------------------------------------------------------------------------


def make_input(path: Path, hours: int, seed: int, start_hour: int = 0, bad_share: float = 0.02) -> Path:
    """A long CSV: grid_load and ai_demand per region, hourly, with a share of bad values."""
    rng = random.Random(seed)
    rows = []
    for region_no, region in enumerate(REGIONS):
        for series, base in (("grid_load", 10_000 + 3_000 * region_no), ("ai_demand", 400 + 50 * region_no)):
            for h in range(start_hour, start_hour + hours):
                value = base * (1 + 0.2 * ((h * 7 + region_no) % 24) / 24) + rng.uniform(0, base * 0.01)
                text = f"{value:.2f}"
                if rng.random() < bad_share:
                    text = rng.choice(["", "n/e", "abc", "NaN", "-5", "1e12"])
                rows.append((region, series, (T0 + timedelta(hours=h)).isoformat(), text))
    frame = pl.DataFrame(rows, schema=["region", "series", "ts", "value"], orient="row")
    frame.with_columns(pl.lit("MW").alias("unit")).write_csv(path)
    return path


def prepare(workdir: Path, hours: int, seed: int) -> tuple[Path, Path, Path]:
    """A seeded home (first file ingested), and the second file to crash on (half overlapping)."""
    workdir.mkdir(parents=True, exist_ok=True)
    first = make_input(workdir / "first.csv", hours, seed)
    second = make_input(workdir / "second.csv", hours, seed + 1, start_hour=hours // 2)
    home = workdir / "seeded"
    settings = Settings(home=home)
    ingest_file(Store(settings.tables), settings, first, now=NOW)
    return home, first, second


# --- the child that gets killed ----------------------------------------------------------------

CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from datetime import datetime, timedelta, UTC
from pathlib import Path
from pipelines.config.settings import Settings
from pipelines.ingest.observations import ingest_file
from pipelines.store import Store
settings = Settings(home=Path(sys.argv[1]))
store = Store(settings.tables)
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
ingest_file(store, settings, Path(sys.argv[2]), now=datetime(2026, 6, 15, 13, tzinfo=UTC))
print(f"done {{time.perf_counter() - start:.4f}}", flush=True)
"""


def run_child(
    home: Path, path: Path, delay: float | None, timeout: float = 120.0
) -> tuple[bool, float | None]:
    """Start the ingest child; kill -9 it `delay` s after it starts ingesting (None: let it finish).

    Returns (killed, seconds the ingest took when it finished).
    """
    code = CHILD.format(root=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(home), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        if delay is not None:
            time.sleep(delay)  # the random kill point
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=timeout)
                return True, None
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err
        return False, float(out.split()[-1])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=timeout)


# --- checks ------------------------------------------------------------------------------------


def current(store: Store) -> pl.DataFrame:
    return (
        latest_observations(store.scan("observations"))
        .select(S.REGION, S.SERIES, S.TS, S.ISSUED_AT, S.VALUE)
        .sort(S.REGION, S.SERIES, S.TS)
        .collect()
    )


def table_versions(store: Store) -> dict[str, int | None]:
    return {t: store.version(t) for t in TABLES}


@dataclass
class Reference:
    """What a clean ingest of the second file over the seeded home leaves."""

    current: pl.DataFrame
    observation_rows: int
    quarantine_rows: int
    report: dict
    seconds: float


def reference(home: Path, second: Path, workdir: Path) -> Reference:
    clean = workdir / "reference"
    shutil.copytree(home, clean)
    _, seconds = run_child(clean, second, None)
    store = Store(Settings(home=clean).tables)
    source = f"long:{second.name}"
    obs = store.read("observations").filter(pl.col(S.SOURCE) == source).height
    quarantine = store.read("quarantine").filter(pl.col(S.SOURCE) == source).height
    report = ingest_file(store, Settings(home=clean), second, now=NOW + timedelta(hours=2)).model_dump()
    return Reference(current(store), obs, quarantine, report, seconds or 0.0)


def ingest_trial(home: Path, second: Path, ref: Reference, delay: float, workdir: Path) -> dict:
    """One kill -9 of the ingest after `delay` seconds, then the checks; returns the figures."""
    trial = workdir / f"trial-{delay:.4f}"
    shutil.copytree(home, trial)
    settings = Settings(home=trial)
    store = Store(settings.tables)
    before = table_versions(store)
    seeded = {t: store.read(t) for t in ("observations", "quarantine")}
    killed, _ = run_child(trial, second, delay)
    after_kill = table_versions(store)
    phase = (
        "finished"
        if not killed
        else "before any commit"
        if after_kill == before
        else "after observations, before quarantine"
        if after_kill["observations"] != before["observations"]
        and after_kill["quarantine"] == before["quarantine"]
        else "after both commits"
    )
    checks = {}
    try:
        for table in TABLES:
            store.read(table)
        checks["tables_readable"] = True
    except Exception as exc:  # reported, not raised: the trial records what failed
        checks["tables_readable"] = f"{type(exc).__name__}: {exc}"
    for table, old in seeded.items():
        lost = old.join(store.read(table), on=old.columns, how="anti", nulls_equal=True).height
        checks[f"{table}_kept"] = lost == 0 or f"{lost} rows lost"
    rerun = ingest_file(store, settings, second, now=NOW + timedelta(hours=1))
    source = f"long:{second.name}"
    obs = store.read("observations").filter(pl.col(S.SOURCE) == source).height
    quarantine = store.read("quarantine").filter(pl.col(S.SOURCE) == source).height
    checks["rerun_balanced"] = rerun.balanced and rerun.rows_read == ref.report["rows_read"]
    checks["observations_once"] = (
        obs == ref.observation_rows or f"{obs} rows, clean run {ref.observation_rows}"
    )
    checks["quarantine_once"] = (
        quarantine == ref.quarantine_rows or f"{quarantine}, clean {ref.quarantine_rows}"
    )
    same = current(store).equals(ref.current)
    checks["current_values_equal_clean_run"] = same
    shutil.rmtree(trial, ignore_errors=True)
    return {"delay_s": round(delay, 4), "killed": killed, "phase": phase, "checks": checks}


def kill_delay(rng: random.Random, seconds: float, i: int) -> float:
    """A kill point: one trial in three anywhere in the ingest, two near its end where the commits are."""
    if i % 3 == 0:
        return rng.uniform(0, seconds)
    return rng.uniform(0.75 * seconds, 1.3 * seconds)


def passed(trial: dict) -> bool:
    return all(v is True for v in trial["checks"].values())


# --- server killed during a retrain --------------------------------------------------------------


def registry_consistent(settings: Settings) -> bool:
    """Every listed version passes its checksums and every champion loads."""
    from pipelines.registry.versions import Registry

    registry = Registry(settings)
    for record in registry.versions():
        registry.open(record.region, record.target, record.version)
        pointer = registry.champion(record.region, record.target)
        if pointer is None:
            return False
        registry.load(record.region, record.target, pointer["version"])
    return True


def server_trial(home: Path, delay: float, key: str, log: Path) -> dict:
    """Kill -9 the server `delay` s into `POST /v1/jobs/retrain/run`; restart; the forecast still serves."""
    import httpx

    from pipelines.serving.published import latest_issues
    from pipelines.training.publish import PUBLISHED_QUANTILES
    from tests.reliability.conftest import serve

    auth = {"Authorization": f"Bearer {key}"}
    forecast = "/v1/regions/us-nova/forecast?target=headroom&horizon=24"
    served = serve(home, log, HEADROOM_API_KEYS=key)
    try:
        before = httpx.get(served.base + forecast, timeout=10).json()["model_version"]
        row = {
            "region": "us-nova",
            "series": "grid_load",
            "value": 15000.0,
            "unit": "MW",
            "ts": (NOW + timedelta(hours=1)).isoformat(),
        }
        assert (
            httpx.post(
                served.base + "/v1/observations", json={"observations": [row]}, headers=auth, timeout=30
            ).status_code
            == 200
        )

        def retrain() -> None:
            with contextlib.suppress(httpx.TransportError):  # the server is killed under it
                httpx.post(served.base + "/v1/jobs/retrain/run", headers=auth, timeout=120)

        thread = threading.Thread(target=retrain)
        thread.start()
        time.sleep(delay)  # the random kill point
        served.proc.send_signal(signal.SIGKILL)
        served.proc.wait(timeout=30)
        thread.join(timeout=130)
    finally:
        served.stop()
    restarted = serve(home, log, HEADROOM_API_KEYS=key)
    try:
        response = httpx.get(restarted.base + forecast, timeout=10)
        after = response.json().get("model_version") if response.status_code == 200 else None
        ready = httpx.get(restarted.base + "/readyz", timeout=10).status_code
    finally:
        restarted.stop()
    settings = Settings(home=home)
    store = Store(settings.tables)
    for table in TABLES:
        store.read(table)
    registry_ok = registry_consistent(settings)
    rerun = run_job("retrain", settings, store).status
    issues = latest_issues(store)
    counts = issues.group_by(S.REGION, S.TARGET).agg(pl.len().alias("n"))
    complete = (
        bool((counts["n"] == counts["n"].max()).all()) and counts["n"].max() % len(PUBLISHED_QUANTILES) == 0
    )
    return {
        "delay_s": round(delay, 3),
        "status": response.status_code,
        "before": before,
        "after": after,
        "new_issue": after != before,
        "readyz": ready,
        "latest_issues_complete": complete,
        "checks": {
            "forecast_served": response.status_code == 200,
            "ready": ready == 200,
            "no_partial_issue": complete,
            "registry_consistent": registry_ok,
            "next_retrain_ok": rerun == "ok",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--server-trials", type=int, default=4)
    parser.add_argument("--hours", type=int, default=2000, help="hours per region and series in each file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="headroom-crash-") as tmp:
        work = Path(tmp)
        home, _, second = prepare(work, args.hours, args.seed)
        ref = reference(home, second, work)
        print(
            f"ingest: {ref.report['rows_read']} rows read; clean ingest {ref.seconds:.3f} s; "
            f"{ref.observation_rows} observation rows and {ref.quarantine_rows} quarantined in a clean run"
        )
        phases: dict[str, int] = {}
        for i in range(args.trials):
            trial = ingest_trial(home, second, ref, kill_delay(rng, ref.seconds, i), work)
            phases[trial["phase"]] = phases.get(trial["phase"], 0) + 1
            ok = passed(trial)
            failures += not ok
            print(
                f"  trial {i + 1:2d}: kill at {trial['delay_s']:.3f} s, {trial['phase']:38s} "
                f"{'ok' if ok else 'FAILED ' + json.dumps(trial['checks'])}"
            )
        print(f"ingest trials: {args.trials}, passed {args.trials - failures}; kills landed: {phases}")
        server_failures = 0
        if args.server_trials:
            demo = demo_home(work)
            key = "crash-bench-key-0123456789"
            start = time.perf_counter()
            from pipelines.jobs.schedule import retrain

            scratch = work / "timing"
            shutil.copytree(demo, scratch)
            settings = Settings(home=scratch)
            store = Store(settings.tables)
            from pipelines.ingest.records import ingest_records

            ingest_records(
                store,
                settings,
                [
                    {
                        "region": "us-nova",
                        "series": "grid_load",
                        "value": 15000.0,
                        "ts": (NOW + timedelta(hours=1)).isoformat(),
                    }
                ],
                "timing",
            )
            start = time.perf_counter()
            retrain(store, settings, NOW + timedelta(hours=1))
            train_seconds = time.perf_counter() - start
            print(f"server: a retrain takes {train_seconds:.2f} s in-process")
            for i in range(args.server_trials):
                home_i = work / f"server-{i}"
                shutil.copytree(demo, home_i)
                trial = server_trial(
                    home_i, rng.uniform(0.05, 1.2 * train_seconds + 0.3), key, work / f"server-{i}.log"
                )
                ok = all(trial["checks"].values())
                server_failures += not ok
                print(
                    f"  server trial {i + 1}: kill at {trial['delay_s']:.2f} s; after restart status "
                    f"{trial['status']}, {'new' if trial['new_issue'] else 'previous'} issue served, "
                    f"readyz {trial['readyz']}, latest issues complete {trial['latest_issues_complete']} "
                    f"{'ok' if ok else 'FAILED'}"
                )
            print(f"server trials: {args.server_trials}, passed {args.server_trials - server_failures}")
    sys.exit(1 if failures or server_failures else 0)


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", "2")
    main()
