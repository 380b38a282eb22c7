"""Shared fixtures: isolated settings and stores, and one demo store trained once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.config.settings import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.store import Store
from pipelines.training.train import run_train

# The suite trains the seconds-fast baseline unless a test asks for the selection (the served
# default, `train_models=default`); set before any Settings is read, servers started here inherit it.
os.environ.setdefault("HEADROOM_TRAIN_MODELS", "baseline")

NOW = datetime(2026, 6, 15, 12, 30, tzinfo=UTC)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_path() -> Path:
    """The full real files beside the repository; tests using them skip with a reason if absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"full real data not present at {SHARED_DATA} (only CI and developers have it)")
    return SHARED_DATA


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings with an empty HEADROOM_HOME of the test's own."""
    home = tmp_path / "home"
    monkeypatch.setenv("HEADROOM_HOME", str(home))
    get_settings.cache_clear()
    yield Settings(home=home)
    get_settings.cache_clear()


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store(settings.tables)


def trained_demo_home(folder: Path, days: int) -> Settings:
    """Settings of `folder/home` holding `days` of demo data (seed 7) and one trained issue."""
    settings = Settings(home=folder / "home")
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=days, seed=7)
    run_train(store, settings, NOW)
    return settings


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home holding 60 days of demo data and one trained forecast issue; treat as read-only."""
    return trained_demo_home(tmp_path_factory.mktemp("demo"), days=60)


@pytest.fixture(scope="session")
def planning_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """300 days of demo data (the monthly outlook needs 8 complete months) and one trained issue;
    read-only (copy it to write)."""
    return trained_demo_home(tmp_path_factory.mktemp("planning"), days=300)
