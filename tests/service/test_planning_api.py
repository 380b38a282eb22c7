"""Planning over HTTP: monthly outlook, queue risk and siting translate the pipelines' answers."""

import pytest

RISK = {"region": "us-nova", "mw": 100, "target_date": "2028-06-01"}


def test_outlook__monthly_rows_with_headroom_intervals(planning_client):
    response = planning_client.get("/v1/regions/nordics/outlook", params={"months": 24, "scenario": "high"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scenario"] == "high" and len(body["rows"]) == 24
    first = body["rows"][0]["headroom"]
    assert first["p10"] <= first["p50"] <= first["p90"]


@pytest.mark.parametrize(
    ("params", "field"), [({"months": 61}, "months"), ({"scenario": "wild"}, "scenario")]
)
def test_outlook__limits_are_422_naming_the_field(planning_client, params, field):
    response = planning_client.get("/v1/regions/nordics/outlook", params=params)
    assert response.status_code == 422
    assert any(d["field"].endswith(field) for d in response.json()["error"]["details"])


def test_outlook__too_little_history_is_503_saying_so(demo_client):
    response = demo_client.get("/v1/regions/us-nova/outlook")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "insufficient_history"


def test_queue_risk__answers_in_the_issue_shape(planning_client):
    response = planning_client.post("/v1/queue-risk", json=RISK)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"p_energized_by_target", "wait_days", "headroom_shortfall_probability", "risk",
                         "drivers", "model_version", "data_as_of"}
    assert 0 <= body["p_energized_by_target"] <= 1 and body["risk"] in {"low", "medium", "high"}


def test_queue_risk__unknown_region_is_404(planning_client):
    response = planning_client.post("/v1/queue-risk", json={**RISK, "region": "atlantis"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_region"


@pytest.mark.parametrize("change", [{"mw": 0}, {"mw": 20000}, {"target_date": "soon"}])
def test_queue_risk__invalid_request_is_422(planning_client, change):
    response = planning_client.post("/v1/queue-risk", json={**RISK, **change})
    assert response.status_code == 422


def test_siting__ranks_regions_with_reasons_and_rack_flags(planning_client):
    request = {"mw": 150, "target_date": "2028-06-01", "rack_kw": 90}
    response = planning_client.post("/v1/siting", json=request)
    assert response.status_code == 200, response.text
    ranking = response.json()["ranking"]
    assert [c["rank"] for c in ranking] == list(range(1, len(ranking) + 1))
    p = [c["p_energized_by_target"] for c in ranking]
    assert p == sorted(p, reverse=True) and all(c["reasons"] for c in ranking)
    flagged = {c["region"] for c in ranking if c["rack_density_exceeded"]}
    assert "us-nova" in flagged and "nordics" not in flagged


def test_siting__unknown_region_in_the_list_is_404(planning_client):
    response = planning_client.post("/v1/siting", json={"mw": 10, "target_date": "2028-06-01",
                                                        "regions": ["nordics", "atlantis"]})
    assert response.status_code == 404


def test_models__lists_what_serves_each_region_and_target(demo_client):
    models = demo_client.get("/v1/models").json()["models"]
    assert len(models) == 4 * 4 and {m["horizon_hours"] for m in models} == {168}


def test_overview__latest_load_headroom_now_and_weekly_low(demo_client):
    regions = demo_client.get("/v1/overview").json()["regions"]
    assert [r["region"] for r in regions] == ["us-nova", "de-fra", "nordics", "us-wtx"]
    for r in regions:
        assert r["latest_load"]["value"] > 0
        assert r["min_p10_headroom_7d"]["value"] <= r["headroom_now"]["value"]
