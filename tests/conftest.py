"""Shared fixtures: isolated settings and stores, and one demo store trained once per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.config import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.store import Store
from pipelines.train import run_train

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


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home holding 60 days of demo data and one trained forecast issue; treat as read-only."""
    settings = Settings(home=tmp_path_factory.mktemp("demo") / "home")
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=60, seed=7)
    run_train(store, settings, NOW)
    return settings
