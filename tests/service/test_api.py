"""The HTTP API end to end through the app: regions, forecasts, errors in the one shape."""

import pytest
from fastapi.testclient import TestClient

from service.app import create_app

REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx")


@pytest.fixture(scope="module")
def client(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        yield client


def test_healthz__answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_regions__lists_the_catalog(client):
    body = client.get("/v1/regions").json()
    assert [r["id"] for r in body["regions"]] == list(REGIONS)
    assert body["regions"][0]["queue_years"] == [3.0, 5.0]


@pytest.mark.parametrize("region", REGIONS)
def test_forecast__headroom_with_three_quantiles_for_each_region(client, region):
    response = client.get(
        f"/v1/regions/{region}/forecast",
        params={"target": "headroom", "horizon": 48, "quantiles": "0.1,0.5,0.9"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == region and body["quantiles"] == [0.1, 0.5, 0.9]
    assert len(body["points"]) == 48 * 3
    by_ts: dict[str, list[float]] = {}
    for point in body["points"]:
        by_ts.setdefault(point["ts"], []).append(point["value"])
    assert all(v == sorted(v) for v in by_ts.values())
    assert body["model_version"] and body["issued_at"] and body["data_as_of"]


def test_forecast__csv_format(client):
    response = client.get("/v1/regions/us-nova/forecast", params={"horizon": 2, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0] == "ts,quantile,value" and len(lines) == 1 + 2 * 3


def test_forecast__unknown_region_is_404_naming_the_known_ones(client):
    response = client.get("/v1/regions/atlantis/forecast")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown_region"
    assert error["details"]["known"] == sorted(REGIONS)
    assert "us-nova" in error["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"horizon": 500}, "horizon"), ({"horizon": 0}, "horizon"), ({"target": "price"}, "target")],
)
def test_forecast__invalid_parameters_are_422_naming_the_field(client, params, field):
    response = client.get("/v1/regions/us-nova/forecast", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert any(d["field"].endswith(field) for d in error["details"])


@pytest.mark.parametrize("quantiles", ["1.5", "abc", "0"])
def test_forecast__bad_quantiles_are_422_with_the_rule(client, quantiles):
    response = client.get("/v1/regions/us-nova/forecast", params={"quantiles": quantiles})
    assert response.status_code == 422
    assert "strictly between 0 and 1" in response.json()["error"]["message"]


def test_forecast__nothing_published_is_503_not_a_fake_value(settings):
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/regions/us-nova/forecast")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "not_published"
    assert int(response.headers["Retry-After"]) > 0
