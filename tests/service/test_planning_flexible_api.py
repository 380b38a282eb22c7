"""flexible: true in POST /v1/queue-risk and /v1/siting (#17 item 2): firm and flexible side by side."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pipelines.config.settings import Settings
from pipelines.demo import run_demo
from pipelines.store import Store
from service.app import create_app
from tests.conftest import NOW
from tests.service.conftest import options

RISK = {"region": "us-nova", "mw": 200, "target_date": "2028-06-01"}


@pytest.fixture(scope="module")
def year_client(tmp_path_factory):
    """A demo home holding 2025 whole (560 days back from NOW), untrained: planning needs no model."""
    settings = Settings(home=tmp_path_factory.mktemp("flexible") / "home")
    run_demo(Store(settings.tables), settings, NOW, days=560, seed=7)
    with TestClient(create_app(settings, options())) as client:
        yield client


def test_queue_risk__flexible_states_firm_and_flexible_headroom_side_by_side(year_client):
    response = year_client.post("/v1/queue-risk", json={**RISK, "flexible": True, "curtailment_pct": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    firm, flex = body["headroom_at_target"]["firm"], body["headroom_at_target"]["flexible"]
    assert firm["month"] == "2028-06-01" and firm["p_energized"] == body["p_energized_by_target"]
    assert flex["year"] == 2028 and flex["curtailment_pct"] == 1 and flex["basis"] == "capacity_series"
    assert flex["headroom_mw"]["p10"] <= flex["headroom_mw"]["p50"] <= flex["headroom_mw"]["p90"]
    expected = body["p_connected_by_target"] * flex["p_headroom_fits"]
    assert flex["p_energized"] == pytest.approx(expected, abs=1e-4)
    assert body["inputs"]["flexible"] is True and body["inputs"]["curtailment_pct"] == 1


def test_queue_risk__more_curtailment_gives_more_flexible_headroom(year_client):
    def p50(pct: float) -> float:
        request = {**RISK, "flexible": True, "curtailment_pct": pct}
        body = year_client.post("/v1/queue-risk", json=request).json()
        return body["headroom_at_target"]["flexible"]["headroom_mw"]["p50"]

    assert p50(0.25) <= p50(1) <= p50(5) and p50(0.25) < p50(5)


def test_queue_risk__without_flexible_only_the_firm_side(year_client):
    body = year_client.post("/v1/queue-risk", json=RISK).json()
    assert body["headroom_at_target"]["flexible"] is None and body["inputs"]["flexible"] is False


@pytest.mark.parametrize("value", [0, 100, -2, "lots"])
def test_queue_risk__curtailment_outside_0_100_is_422_naming_the_field(year_client, value):
    response = year_client.post("/v1/queue-risk", json={**RISK, "flexible": True, "curtailment_pct": value})
    assert response.status_code == 422
    assert any(d["field"].endswith("curtailment_pct") for d in response.json()["error"]["details"])


def test_siting__ranks_by_flexible_when_asked(year_client):
    request = {"mw": 200, "target_date": "2028-06-01", "flexible": True, "rank_by": "flexible"}
    response = year_client.post("/v1/siting", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rank_by"] == "flexible"
    p = [c["headroom_at_target"]["flexible"]["p_energized"] for c in body["ranking"]]
    assert p == sorted(p, reverse=True) and len(p) >= 2
    assert all(any("curtailment" in r for r in c["reasons"]) for c in body["ranking"])


@pytest.mark.parametrize("rank_by", ["flexible", "cheapest"])
def test_siting__rank_by_flexible_without_flexible_or_unknown_is_422(year_client, rank_by):
    request = {"mw": 200, "target_date": "2028-06-01", "rank_by": rank_by}
    response = year_client.post("/v1/siting", json=request)
    assert response.status_code == 422
    assert any(d["field"].endswith("rank_by") for d in response.json()["error"]["details"])


def test_queue_risk__flexible_on_less_than_a_whole_year_is_409(planning_client):
    response = planning_client.post("/v1/queue-risk", json={**RISK, "flexible": True})
    assert response.status_code == 409 and response.json()["error"]["code"] == "insufficient_years"
