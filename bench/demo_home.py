"""A trained demo home for the benchmarks that start a real server (crash, load)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pipelines.config.settings import Settings
from pipelines.demo import run_demo
from pipelines.store import Store
from pipelines.training.train import run_train

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)  # the same hour as the benchmarks that use it


def demo_home(folder: Path, days: int = 120, now: datetime = NOW) -> Path:
    """`folder/home` holding `days` of demo data and one published forecast issue."""
    settings = Settings(home=folder / "home")
    store = Store(settings.tables)
    run_demo(store, settings, now, days=days, seed=7)
    run_train(store, settings, now)
    return settings.home
