"""Service fixtures: apps over the shared demo home, and a home long enough for monthly planning."""

import pytest
from fastapi.testclient import TestClient

from pipelines.config import Settings
from pipelines.demo import run_demo
from pipelines.store import Store
from pipelines.train import run_train
from service.app import create_app
from service.options import ServiceOptions
from tests.conftest import NOW

WRITE_KEY = "test-write-key-0123456789"


@pytest.fixture(scope="session")
def planning_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """300 days of demo data (the outlook needs 8 complete months) and one trained issue; read-only."""
    settings = Settings(home=tmp_path_factory.mktemp("planning") / "home")
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=300, seed=7)
    run_train(store, settings, NOW)
    return settings


def options(**overrides) -> ServiceOptions:
    """Service options for tests: check the forecasts version on every request unless told."""
    return ServiceOptions(**{"forecast_check_seconds": 0, **overrides})


@pytest.fixture(scope="module")
def demo_client(demo_settings):
    with TestClient(create_app(demo_settings, options())) as client:
        yield client


@pytest.fixture(scope="module")
def planning_client(planning_home):
    with TestClient(create_app(planning_home, options())) as client:
        yield client
