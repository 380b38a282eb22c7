"""Scenarios compared in one call (outlook, queue risk; HTTP and CLI); one scenario keeps its shape."""

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config.settings import get_settings

RISK = {"region": "us-nova", "mw": 100, "target_date": "2028-06-01"}


def test_outlook__three_scenarios_one_block_each_matching_the_single_answers(planning_client):
    params = {"months": 12, "scenario": "low,base,high"}
    both = planning_client.get("/v1/regions/nordics/outlook", params=params)
    assert both.status_code == 200, both.text
    body = both.json()
    assert body["scenarios"] == list(body["by_scenario"]) == ["low", "base", "high"]
    for name in ("low", "high"):
        single = planning_client.get("/v1/regions/nordics/outlook", params={"months": 12, "scenario": name})
        assert body["by_scenario"][name] == single.json()
    p50 = {n: body["by_scenario"][n]["rows"][-1]["headroom"]["p50"] for n in ("low", "base", "high")}
    assert p50["low"] >= p50["base"] >= p50["high"]  # more AI demand, less headroom


def test_outlook__one_scenario_keeps_the_single_shape(planning_client):
    body = planning_client.get("/v1/regions/nordics/outlook", params={"months": 3, "scenario": "high"}).json()
    assert body["scenario"] == "high" and len(body["rows"]) == 3 and "by_scenario" not in body


@pytest.mark.parametrize("scenario", ["low,wild", ",", "base,,HIGH"])
def test_outlook__a_bad_scenario_list_is_422_naming_the_field(planning_client, scenario):
    response = planning_client.get("/v1/regions/nordics/outlook", params={"scenario": scenario})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "scenario"


def test_queue_risk__scenarios_one_block_each(planning_client):
    response = planning_client.post("/v1/queue-risk", json={**RISK, "scenarios": ["low", "high"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scenarios"] == ["low", "high"] and set(body["by_scenario"]) == {"low", "high"}
    single = planning_client.post("/v1/queue-risk", json={**RISK, "scenario": "high"}).json()
    assert body["by_scenario"]["high"] == single
    assert body["by_scenario"]["low"]["inputs"]["scenario"] == "low"


def test_queue_risk__one_listed_scenario_keeps_the_single_shape(planning_client):
    body = planning_client.post("/v1/queue-risk", json={**RISK, "scenarios": ["high"]}).json()
    assert "by_scenario" not in body and body["inputs"]["scenario"] == "high"


@pytest.mark.parametrize("scenarios", [[], ["wild"], ["low", "base", "high", "low"]])
def test_queue_risk__bad_scenarios_are_422(planning_client, scenarios):
    response = planning_client.post("/v1/queue-risk", json={**RISK, "scenarios": scenarios})
    assert response.status_code == 422
    assert any("scenarios" in d["field"] for d in response.json()["error"]["details"])


def _cli(settings, monkeypatch, args):
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()


def test_cli__risk_compares_scenarios_in_columns(planning_home, monkeypatch):
    args = ["risk", "us-nova", "--mw", "100", "--by", "2028-06-01", "--scenario", "low,base,high"]
    result = _cli(planning_home, monkeypatch, args)
    assert result.exit_code == 0, result.output
    assert "Queue risk by scenario" in result.output
    assert all(n in result.output for n in ("low", "base", "high", "p_energized_by_target"))


def test_cli__outlook_compares_scenarios(planning_home, monkeypatch):
    args = ["forecast", "nordics", "--outlook", "--months", "4", "--scenario", "low,high", "--format", "csv"]
    result = _cli(planning_home, monkeypatch, args)
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0]
    assert header.startswith("month,low_headroom_p10") and "high_headroom_p90" in header
    assert len(result.output.splitlines()) == 5
