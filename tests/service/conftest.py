"""Service fixtures: apps over the shared demo homes (tests/conftest.py)."""

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.options import ServiceOptions

WRITE_KEY = "test-write-key-0123456789"


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
