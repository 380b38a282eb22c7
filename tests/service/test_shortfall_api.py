"""P(minimum headroom < X) over a window, over HTTP and the CLI, from the latest issue's paths."""

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from forecast.headroom import prob_min_below
from pipelines.cli import app, main
from pipelines.config.settings import get_settings
from pipelines.placement.shortfall import read_region_paths
from pipelines.store import Store

PATH = "/v1/regions/us-nova/forecast/shortfall"


def test_shortfall__counts_the_stored_paths(demo_client, demo_settings):
    paths, _, _ = read_region_paths(Store(demo_settings.tables), "us-nova")
    level = float(paths["value"].quantile(0.2))
    body = demo_client.get(PATH, params={"below_mw": level})
    assert body.status_code == 200, body.text
    answer = body.json()
    assert answer["probability"] == pytest.approx(prob_min_below(paths, level), abs=1e-4)
    assert answer["samples"] == paths["sample"].n_unique() and answer["hours"] == paths["ts"].n_unique()
    band = answer["min_headroom_mw"]
    assert band["p10"] <= band["p50"] <= band["p90"]
    first = paths["ts"].min()
    window = {"below_mw": level, "start": (first + timedelta(hours=2)).isoformat(),
              "end": (first + timedelta(hours=5)).isoformat()}
    short = demo_client.get(PATH, params=window).json()
    assert short["hours"] == 3 and short["probability"] <= answer["probability"]
    expected = prob_min_below(paths, level, first + timedelta(hours=2), first + timedelta(hours=5))
    assert short["probability"] == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "below_mw"), ({"below_mw": "lots"}, "below_mw"), ({"below_mw": 1, "start": "tomorrow"}, "start"),
     ({"below_mw": 1, "start": "2001-01-01T00:00Z", "end": "2001-01-02T00:00Z"}, "start"),
     ({"below_mw": 1, "start": "2030-01-02T00:00Z", "end": "2030-01-01T00:00Z"}, "end"),
     ({"below_mw": 1, "start": "9999-12-31T23:59:59-14:00"}, "start")],
)
def test_shortfall__bad_request_is_422_naming_the_field(demo_client, params, field):
    response = demo_client.get(PATH, params=params)
    assert response.status_code == 422, response.text
    assert any(d["field"].split(".")[-1] == field for d in response.json()["error"]["details"])


def test_shortfall__unknown_region_is_404(demo_client):
    response = demo_client.get("/v1/regions/atlantis/forecast/shortfall", params={"below_mw": 1})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_region"


def _env(monkeypatch, settings):
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()


def test_cli__forecast_below_prints_the_probability(demo_settings, monkeypatch):
    _env(monkeypatch, demo_settings)
    try:
        result = CliRunner().invoke(app, ["forecast", "us-nova", "--below", "1e9", "--format", "json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert '"probability": 1.0' in result.output


def test_cli__forecast_below_bad_start_is_one_line(demo_settings, monkeypatch, capsys):
    _env(monkeypatch, demo_settings)
    try:
        with pytest.raises(SystemExit) as exit_:
            main(["forecast", "us-nova", "--below", "10", "--start", "soon"])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and err.startswith("error: --start must be ISO 8601") and "\n" not in err
