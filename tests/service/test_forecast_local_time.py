"""Hourly forecasts carry each hour in the region's local time beside UTC (ts_local), cached bytes too."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config.settings import get_settings

ZONES = {"us-nova": "America/New_York", "de-fra": "Europe/Berlin"}


@pytest.mark.parametrize("region", sorted(ZONES))
def test_forecast_json__each_point_has_ts_local_in_the_catalog_zone(demo_client, region):
    for _ in range(2):  # the second answer comes from the rendered cache
        response = demo_client.get(f"/v1/regions/{region}/forecast", params={"horizon": 6})
        assert response.status_code == 200, response.text
        points = response.json()["points"]
        for point in points:
            utc = datetime.fromisoformat(point["ts"].replace("Z", "+00:00"))
            local = datetime.fromisoformat(point["ts_local"])
            assert local == utc  # the same instant
            assert local.utcoffset() == utc.astimezone(ZoneInfo(ZONES[region])).utcoffset()


def test_forecast_csv__keeps_its_columns(demo_client):
    response = demo_client.get("/v1/regions/us-nova/forecast", params={"horizon": 2, "format": "csv"})
    assert response.text.splitlines()[0] == "ts,quantile,value"


def test_forecast_table__shows_local_time_beside_utc(demo_settings, monkeypatch):
    monkeypatch.setenv("HEADROOM_HOME", str(demo_settings.home))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["forecast", "de-fra", "--horizon", "3"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "ts_local (Europe/Berlin)" in result.output and "ts (UTC)" in result.output
    assert "+01:00" in result.output or "+02:00" in result.output
