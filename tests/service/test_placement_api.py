"""`POST /v1/placement`: plans from the issue's joint paths; bad input is 4xx naming the field."""

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.conftest import options

AS_OF = "2026-06-15T12:30:00Z"


def test_placement__ranked_plans_from_the_issue(demo_client):
    response = demo_client.post("/v1/placement", json={"mw": 3000, "hours": 24, "as_of": AS_OF})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["issued_at"] == "2026-06-15T12:30:00Z" and body["model_version"].startswith("seasonal_naive")
    assert body["n_samples"] == 200 and body["window_end"] == "2026-06-22T13:00:00Z"
    p = [plan["p_uninterrupted"] for plan in body["plans"]]
    assert p == sorted(p, reverse=True)
    assert body["plans"][0]["region"] in {"de-fra", "nordics", "us-nova", "us-wtx"}


def test_placement__split_plans_never_give_a_region_more_than_the_job(demo_client):
    body = {"mw": 3000, "hours": 24, "split": True, "regions": ["nordics", "us-wtx"], "top": 20,
            "as_of": AS_OF}
    response = demo_client.post("/v1/placement", json=body)
    assert response.status_code == 200, response.text
    splits = [plan["regions"] for plan in response.json()["plans"] if plan["regions"]]
    assert splits
    for shares in splits:
        assert all(0 < mw <= 3000 for mw in shares.values())
        assert sum(shares.values()) == pytest.approx(3000)


def test_placement__same_query_same_answer(demo_client):
    body = {"mw": 2500, "hours": 12, "interruptible": True, "as_of": AS_OF}
    first = demo_client.post("/v1/placement", json=body)
    assert first.status_code == 200 and first.json()["plans"][0]["p90_finish"]
    assert demo_client.post("/v1/placement", json=body).json() == first.json()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"mw": 0, "hours": 4}, 422, "mw"),
        ({"mw": -5, "hours": 4}, 422, "mw"),
        ({"mw": 10, "hours": 0}, 422, "hours"),
        ({"mw": 10, "hours": 200}, 422, "hours"),
        ({"mw": 10, "hours": 4, "earliest": "2026-06-18T00:00:00Z", "deadline": "2026-06-17T00:00:00Z"}, 422,
         "deadline"),
        ({"mw": 10, "hours": 4, "earliest": "2026-07-01T00:00:00Z"}, 422, "earliest"),
        ({"mw": 10, "hours": 4, "deadline": "2026-06-01T00:00:00Z"}, 422, "deadline"),
        ({"mw": 10, "hours": 4, "regions": ["us-nova", "atlantis"]}, 404, "regions"),
    ],
)
def test_placement__bad_input_names_the_field(demo_client, body, status, field):
    response = demo_client.post("/v1/placement", json={**body, "as_of": AS_OF})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["details"]["field"] == field and error["message"].startswith(f"{field}: ")
    if status == 404:
        assert error["details"]["unknown"] == ["atlantis"] and "nordics" in error["details"]["known"]


@pytest.mark.parametrize(
    "body", [{"mw": "lots", "hours": 4}, {"mw": 10, "hours": 4, "earliest": "2026-06-16T00:00:00"},
             {"mw": 10, "hours": 4, "sizes": 3}]
)
def test_placement__malformed_body_is_422(demo_client, body):
    response = demo_client.post("/v1/placement", json=body)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_placement__issue_past_its_horizon_is_409(demo_client):
    response = demo_client.post("/v1/placement", json={"mw": 10, "hours": 4, "as_of": "2026-07-01T00:00:00Z"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "horizon_passed"


def test_placement__nothing_published_is_503_with_retry_after(settings):
    with TestClient(create_app(settings, options())) as client:
        response = client.post("/v1/placement", json={"mw": 10, "hours": 4})
    assert response.status_code == 503 and response.headers["retry-after"] == "300"
    assert response.json()["error"]["code"] == "not_published"


def test_placement__a_new_issue_builds_its_cube_before_the_first_query(demo_settings, monkeypatch):
    from pipelines.placement import answers

    built: list[str] = []
    real = answers.build_cube
    monkeypatch.setattr(answers, "CUBES", answers.CubeCache())
    monkeypatch.setattr(answers, "build_cube", lambda store: built.append(store.root) or real(store))
    with TestClient(create_app(demo_settings, options())) as client:
        assert len(built) == 1  # at start-up, when the published issue is first seen
        response = client.post("/v1/placement", json={"mw": 3000, "hours": 24, "as_of": AS_OF})
        assert response.status_code == 200, response.text
    assert len(built) == 1
