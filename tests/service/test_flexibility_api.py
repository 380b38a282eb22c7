"""GET /v1/regions/{region}/flexibility and the views of /v1/regions, through the app."""

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.conftest import trained_demo_home
from tests.service.conftest import options


@pytest.fixture(scope="module")
def year_client(tmp_path_factory):
    """560 days of demo data: 2025 is a whole local year in every demo region."""
    settings = trained_demo_home(tmp_path_factory.mktemp("flexyear"), days=560)
    with TestClient(create_app(settings, options())) as client:
        yield client


def test_flexibility__historical_calendar_outlook_and_basis(year_client):
    response = year_client.get("/v1/regions/us-nova/flexibility", params={"limits": "0.5,1,5"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["basis"] == "capacity_series" and body["outlook"]["basis"] == "capacity_series"
    historical = body["historical"]
    assert historical["region"] == "us-nova" and historical["timezone"] == "America/New_York"
    assert historical["years"] == [2025, 2025]
    headroom = [lim["headroom_mw"] for lim in historical["limits"]]
    assert [lim["limit_pct"] for lim in historical["limits"]] == [0.5, 1.0, 5.0]
    assert headroom == sorted(headroom)
    calendar = body["calendar"]
    assert calendar["limit_pct"] == 1.0
    assert len(calendar["curtailed_hours"]) == 12 and {len(r) for r in calendar["curtailed_hours"]} == {24}
    curtailed = historical["limits"][1]["curtailed_hours_per_year"]
    assert sum(map(sum, calendar["curtailed_hours"])) == curtailed  # one year: the calendar counts them all
    rows = body["outlook"]["rows"]
    assert {r["scenario"] for r in rows} == {"low", "base", "high"}
    assert sorted({r["year"] for r in rows}) == [2027, 2028, 2029, 2030, 2031]
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in rows)


def test_flexibility__short_region_is_409_naming_it(planning_client):
    response = planning_client.get("/v1/regions/us-nova/flexibility")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_years" and "'us-nova'" in error["message"]
    assert error["details"]["region"] == "us-nova"


@pytest.mark.parametrize("query", ["limits=0,1", "limits=abc", "limits=100", "calendar_limit=0"])
def test_flexibility__bad_limits_are_422_naming_the_field(planning_client, query):
    response = planning_client.get(f"/v1/regions/us-nova/flexibility?{query}")
    assert response.status_code == 422
    assert "limit" in response.json()["error"]["details"][0]["field"]


def test_flexibility__unknown_region_is_404(planning_client):
    assert planning_client.get("/v1/regions/xx/flexibility").status_code == 404


def test_regions__views_say_what_needs_more_history(planning_client, year_client):
    short = {r["id"]: r["views"] for r in planning_client.get("/v1/regions").json()["regions"]}
    assert short["us-nova"]["forecast"]["available"] and short["us-nova"]["outlook"]["available"]
    assert not short["us-nova"]["flexibility"]["available"]
    assert "whole calendar year" in short["us-nova"]["flexibility"]["needs"]
    full = {r["id"]: r["views"] for r in year_client.get("/v1/regions").json()["regions"]}
    assert full["us-nova"]["flexibility"] == {"available": True, "needs": None}


def test_favicon__served(planning_client):
    for path in ("/favicon.ico", "/favicon.svg"):
        response = planning_client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg")
