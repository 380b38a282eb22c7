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


def test_outlook__too_little_history_is_409_saying_so(demo_client):
    response = demo_client.get("/v1/regions/us-nova/outlook")
    assert response.status_code == 409  # the data cannot answer: not a server fault, not worth a retry
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


def test_siting__no_region_assessable_is_409_not_503(demo_client):
    response = demo_client.post("/v1/siting", json={"mw": 200, "target_date": "2028-06-01"})
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] in {"no_region_assessed", "insufficient_history"}
    assert "Retry-After" not in response.headers


def test_queue_risk__carries_etag_inputs_provenance_and_answers_304(planning_client):
    request = {**RISK, "scenario": "high", "hold_months": 6}
    first = planning_client.post("/v1/queue-risk", json=request)
    assert first.status_code == 200, first.text
    body, etag = first.json(), first.headers["etag"]
    assert body["inputs"]["scenario"] == "high" and body["inputs"]["hold_months"] == 6
    assert body["hold_months"] == 6 and body["issued_at"] and body["data_as_of"]
    assert {p["series"] for p in body["provenance"]} >= {"grid_load", "capacity", "queue_requests"}
    again = planning_client.post("/v1/queue-risk", json=request, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag


def test_outlook__same_month_same_answer_and_304(planning_client):
    short = planning_client.get("/v1/regions/nordics/outlook", params={"months": 2})
    long = planning_client.get("/v1/regions/nordics/outlook", params={"months": 60})
    assert short.json()["rows"][1] == long.json()["rows"][1]
    again = planning_client.get(
        "/v1/regions/nordics/outlook", params={"months": 2}, headers={"If-None-Match": short.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("target", ["2001-01-01", "2090-01-01"])
def test_queue_risk__past_or_far_target_is_422_with_the_allowed_range(planning_client, target):
    for path, body in (("/v1/queue-risk", {**RISK, "target_date": target}),
                       ("/v1/siting", {"mw": 10, "target_date": target})):
        response = planning_client.post(path, json=body)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_target_date"
        (detail,) = error["details"]
        assert detail["field"] == "target_date" and set(detail["allowed"]) == {"after", "on_or_before"}


def test_regions__tell_the_truth_about_synthetic_inputs_and_the_horizon(planning_client):
    regions = {r["id"]: r for r in planning_client.get("/v1/regions").json()["regions"]}
    nova = regions["us-nova"]
    assert nova["synthetic"] is True
    assert set(nova["synthetic_inputs"]) == {"ai_demand", "capacity", "queue_requests"}
    assert any(p["series"] == "grid_load" and not p["synthetic"] for p in nova["provenance"])
    assert nova["outlook"]["simulated_months"] == 240 and nova["outlook"]["hold_months_default"] == 12


def test_queue_risk__an_as_of_the_schema_accepts_but_the_data_cannot_use_is_422(planning_client):
    response = planning_client.post("/v1/queue-risk", json={**RISK, "as_of": 0})  # 1970-01-01
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    (detail,) = error["details"]
    assert detail["field"] == "as_of" and "on_or_after" in detail["allowed"]
