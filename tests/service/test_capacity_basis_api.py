"""Every headroom answer names its capacity basis (issue #17): forecast, overview and flexibility."""

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.pipelines.flexibility.test_capacity_basis import REAL, basis_home
from tests.service.conftest import options


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings, _, _ = basis_home(tmp_path_factory.mktemp("basis_api"))
    with TestClient(create_app(settings, options())) as client:
        yield client


@pytest.mark.parametrize(("region", "basis"), [(REAL, "seasonal_peak"), ("us-nova", "capacity_series")])
def test_forecast__headroom_names_its_basis(client, region, basis):
    response = client.get(f"/v1/regions/{region}/forecast", params={"target": "headroom", "horizon": 24})
    assert response.status_code == 200
    assert response.json()["basis"] == basis
    csv = client.get(f"/v1/regions/{region}/forecast", params={"target": "headroom", "format": "csv"})
    assert csv.headers["x-capacity-basis"] == basis


def test_forecast__demand_targets_have_no_basis(client):
    body = client.get(f"/v1/regions/{REAL}/forecast", params={"target": "grid_load", "horizon": 24}).json()
    assert body["basis"] is None


def test_overview__names_each_regions_basis(client):
    rows = {r["region"]: r for r in client.get("/v1/overview").json()["regions"]}
    assert rows[REAL]["basis"] == "seasonal_peak" and rows[REAL]["headroom_now"] is not None
    assert rows["de-fra"]["basis"] == "capacity_series"


def test_flexibility__region_without_capacity_answers_on_its_seasonal_peaks(client):
    response = client.get(f"/v1/regions/{REAL}/flexibility")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["basis"] == body["outlook"]["basis"] == "seasonal_peak"
