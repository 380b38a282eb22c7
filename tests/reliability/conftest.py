"""Reliability fixtures: a store with data already in it, store snapshots, and a real local server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from forecast import schema as S
from pipelines.config.settings import Settings
from pipelines.ingest.observations import ingest_file
from pipelines.store import Store
from tests.conftest import NOW
from tests.servers import free_port, wait_until_up

HEADROOM = [sys.executable, "-m", "pipelines.cli"]
WRITE_KEY = "reliability-write-key-7f3a9c2e51"
BASE_T = datetime(2024, 1, 1, tzinfo=UTC)  # the seeded rows: 72 hours from here
CASE_T = datetime(2024, 2, 1, tzinfo=UTC)  # where catalog cases put their rows


def long_csv(path: Path, values: list[str], region: str = "de-fra", start: datetime = BASE_T) -> Path:
    """A long CSV of grid_load values, one an hour from `start`."""
    ts = [(start + timedelta(hours=i)).isoformat() for i in range(len(values))]
    pl.DataFrame(
        {"region": region, "series": "grid_load", "ts": ts, "value": values, "unit": "MW"}
    ).write_csv(path)
    return path


def seed(store: Store, settings: Settings, folder: Path) -> None:
    """72 hours of good grid_load in two regions: what a bad input must not disturb."""
    folder.mkdir(parents=True, exist_ok=True)
    for region, base in (("de-fra", 50_000), ("us-nova", 14_000)):
        values = [str(base + 37 * ((h * 7) % 24)) for h in range(72)]
        ingest_file(store, settings, long_csv(folder / f"seed-{region}.csv", values, region), now=NOW)


@pytest.fixture
def seeded(settings: Settings, store: Store, tmp_path: Path) -> tuple[Settings, Store]:
    seed(store, settings, tmp_path / "seed")
    return settings, store


TABLES = tuple(S.TABLES)


@dataclass(frozen=True)
class Snapshot:
    """Each table's version when taken."""

    versions: dict[str, int | None]


def snapshot(store: Store) -> Snapshot:
    return Snapshot({t: store.version(t) for t in TABLES})


def assert_unchanged(store: Store, before: Snapshot) -> None:
    """No commit happened: a refused input leaves no partial state."""
    assert snapshot(store) == before


def assert_kept(store: Store, before: Snapshot) -> None:
    """Every row each table held before is still there (appends and merges only ever add)."""
    for table, version in before.versions.items():
        if version is None:
            continue
        old, now = store.read(table, version=version), store.read(table)
        missing = old.join(now, on=old.columns, how="anti", nulls_equal=True)
        assert missing.is_empty(), f"{table} lost {missing.height} rows"


def assert_every_table_readable(store: Store) -> None:
    for table in TABLES:
        store.read(table)


# --- a real server on loopback ------------------------------------------------------------------


@dataclass
class Served:
    """A `headroom serve` subprocess: its base URL, process, home and log file."""

    base: str
    proc: subprocess.Popen
    home: Path
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


def serve(home: Path, log: Path, scheduler: bool = False, **env: str) -> Served:
    """Start `headroom serve` on a free loopback port over `home`; logs go to `log`.

    Without the scheduler by default, so that no timed job writes while a test counts rows.
    """
    port = free_port()
    full = {
        **os.environ,
        "HEADROOM_HOME": str(home),
        "HEADROOM_HOST": "127.0.0.1",
        "HEADROOM_PORT": str(port),
        "HEADROOM_API_KEYS": WRITE_KEY,
        "HEADROOM_FORECAST_CHECK_SECONDS": "0.5",
        **env,
    }
    with log.open("ab") as out:
        args = [*HEADROOM, "serve", *([] if scheduler else ["--no-scheduler"])]
        proc = subprocess.Popen(args, env=full, stdout=out, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", proc, home, log)
    try:
        wait_until_up(f"{served.base}/healthz", proc)
    except BaseException:
        served.stop()
        raise
    return served


@pytest.fixture(scope="session")
def planning_demo_home(planning_home: Settings) -> Path:
    """The 300-day trained demo home (every endpoint has what it needs); copy it to write."""
    return planning_home.home


@pytest.fixture
def demo_copy(planning_demo_home: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo home."""
    home = tmp_path / "home"
    shutil.copytree(planning_demo_home, home)
    return home


@pytest.fixture
def live_server(demo_copy: Path, tmp_path: Path) -> Iterator[Served]:
    served = serve(demo_copy, tmp_path / "server.log")
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def shared_server(planning_demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for a module's tests that write nothing they later count."""
    folder = tmp_path_factory.mktemp("shared-server")
    shutil.copytree(planning_demo_home, folder / "home")
    served = serve(folder / "home", folder / "server.log")
    try:
        yield served
    finally:
        served.stop()
