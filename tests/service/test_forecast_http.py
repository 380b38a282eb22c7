"""Forecast responses: metadata headers, ETag revalidation, CSV, and replacement on a new issue."""

from datetime import timedelta

from fastapi.testclient import TestClient

from pipelines.demo import run_demo
from pipelines.store import Store
from pipelines.training.train import run_train
from service.app import create_app
from tests.conftest import NOW
from tests.service.conftest import options

URL = "/v1/regions/us-nova/forecast"


def test_forecast__carries_model_version_issue_time_and_validators(demo_client):
    response = demo_client.get(URL, params={"horizon": 168})
    body = response.json()
    assert response.headers["x-model-version"] == body["model_version"]
    assert response.headers["etag"].startswith('"') and response.headers["last-modified"].endswith("GMT")
    assert response.headers["x-issued-at"].startswith(body["issued_at"][:19])
    assert len(body["points"]) == 168 * 3


def test_forecast__matching_if_none_match_is_304_without_body(demo_client):
    etag = demo_client.get(URL).headers["etag"]
    response = demo_client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag
    assert demo_client.get(URL, headers={"If-None-Match": '"other"'}).status_code == 200


def test_forecast__if_modified_since_the_issue_is_304(demo_client):
    last_modified = demo_client.get(URL).headers["last-modified"]
    assert demo_client.get(URL, headers={"If-Modified-Since": last_modified}).status_code == 304


def test_forecast__etag_differs_by_request(demo_client):
    a = demo_client.get(URL, params={"horizon": 24}).headers["etag"]
    b = demo_client.get(URL, params={"horizon": 25}).headers["etag"]
    c = demo_client.get(URL, params={"horizon": 24, "format": "csv"}).headers["etag"]
    assert len({a, b, c}) == 3


def test_forecast__csv_carries_metadata_in_headers(demo_client):
    response = demo_client.get(URL, params={"horizon": 3, "format": "csv", "quantiles": "0.5"})
    assert response.text.splitlines()[0] == "ts,quantile,value" and len(response.text.splitlines()) == 4
    assert response.headers["x-model-version"] and response.headers["x-data-as-of"]


def test_forecast__unknown_region_is_404_even_when_cached(demo_client):
    demo_client.get(URL)
    response = demo_client.get("/v1/regions/atlantis/forecast")
    assert response.status_code == 404 and response.json()["error"]["details"]["known"]


def test_forecast__quantile_out_of_published_range_is_422_naming_it(demo_client):
    response = demo_client.get(URL, params={"quantiles": "0.001"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "quantile_out_of_range"


def test_forecast__new_issue_replaces_the_served_one(settings):
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=30, seed=7)
    run_train(store, settings, NOW)
    with TestClient(create_app(settings, options())) as client:
        first = client.get(URL)
        run_train(store, settings, NOW + timedelta(hours=1))
        second = client.get(URL, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.json()["issued_at"] > first.json()["issued_at"]


def test_forecast__version_is_checked_only_every_interval(settings):
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=30, seed=7)
    run_train(store, settings, NOW)
    with TestClient(create_app(settings, options(forecast_check_seconds=3600))) as client:
        first = client.get(URL).json()
        run_train(store, settings, NOW + timedelta(hours=1))
        assert client.get(URL).json()["issued_at"] == first["issued_at"]  # not checked yet
        client.app.state.responses.refresh()  # what the background watcher does each interval
        assert client.get(URL).json()["issued_at"] > first["issued_at"]


def test_fast_path__exact_repeat_is_answered_identically_and_counted_by_route(settings):
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=30, seed=7)
    run_train(store, settings, NOW)
    with TestClient(create_app(settings, options(forecast_check_seconds=3600))) as client:
        first = client.get(URL, params={"horizon": 5})
        assert client.app.state.responses.lookup("/v1/regions/us-nova/forecast", b"horizon=5") is not None
        again = client.get(URL, params={"horizon": 5}, headers={"X-Request-ID": "fast-1"})
        revalidated = client.get(URL, params={"horizon": 5}, headers={"If-None-Match": first.headers["etag"]})
        metrics = client.get("/metrics").text
        run_train(store, settings, NOW + timedelta(hours=1))
        client.app.state.responses.refresh()
        newer = client.get(URL, params={"horizon": 5})
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-request-id"] == "fast-1" and again.headers["x-model-version"]
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert ('headroom_http_requests_total{method="GET",route="/v1/regions/{region}/forecast",'
            'status="304"} 1.0') in metrics
    assert newer.json()["issued_at"] > first.json()["issued_at"]
