"""headroom flexibility: file and store through the pipeline, the CLI and the OutlookSamples builder."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from forecast import schema as S
from forecast.flexibility import InsufficientYearsError, flexibility
from forecast.flexibility.samples import forward_months, outlook_samples
from pipelines.cli import app
from pipelines.config.settings import get_settings
from pipelines.flexibility.answers import run_flexibility
from pipelines.flexibility.inputs import InvalidOptionError, Timezones, parse_limits, parse_years
from tests.forecast.flexibility.conftest import synthetic_load

runner = CliRunner()


@pytest.fixture
def long_file(tmp_path):
    """Two regions in a `region,ts,load_mw` CSV: `long` (2020-2022, New York) and `short` (4 months)."""
    whole = synthetic_load("long")
    short = synthetic_load("short", seed=2).head(24 * 120)
    path = tmp_path / "load.csv"
    pl.concat([whole, short]).rename({S.VALUE: "load_mw"}).write_csv(path)
    return path, whole


def test_run__file_matches_the_pure_core_in_the_zone_given_per_region(long_file, settings):
    path, whole = long_file
    zones = Timezones.parse(["long=America/New_York"])
    (got,) = run_flexibility(None, settings, ["long"], path, zones, None, (0.5, 1.0))
    assert got == flexibility(whole, "long", "America/New_York", (0.5, 1.0))
    assert got.years == (2020, 2022)


def test_run__unknown_region_defaults_to_utc_and_catalog_regions_to_their_zone(settings):
    zones = Timezones.parse(None)
    assert zones.of("EIA930_PJM", {"x": None}) == "UTC"
    assert Timezones.parse(["Europe/Oslo"]).of("EIA930_PJM", {}) == "Europe/Oslo"
    from pipelines.config.region_files import load_catalog

    assert zones.of("de-fra", load_catalog(settings)) == "Europe/Berlin"


def test_run__short_region_is_refused_by_name(long_file, settings):
    path, _ = long_file
    with pytest.raises(InsufficientYearsError, match="'short'"):
        run_flexibility(None, settings, ["long", "short"], path)


@pytest.mark.parametrize(("text", "field"), [("0,1", "limits"), ("a", "limits"), ("", "limits")])
def test_options__bad_limits_name_the_field(text, field):
    with pytest.raises(InvalidOptionError) as err:
        parse_limits(text)
    assert err.value.field == field


def test_options__years_and_zones_read_or_refused():
    assert parse_years("2016-2024") == (2016, 2024) and parse_years("2020") == (2020, 2020)
    for bad in ("2024-2016", "x", "1-2-3"):
        with pytest.raises(InvalidOptionError, match="years"):
            parse_years(bad)
    with pytest.raises(InvalidOptionError, match="IANA"):
        Timezones.parse(["r=Mars/Olympus"])


@pytest.fixture
def cli_env(settings):
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli__table_json_and_csv(long_file, cli_env):
    path, _ = long_file
    args = ["flexibility", "--data", str(path), "--region", "long", "--timezone", "long=America/New_York",
            "--limits", "0.5,1,5"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "headroom MW" in table.output and "2020-2022" in table.output
    body = json.loads(runner.invoke(app, [*args, "--format", "json"]).output)
    (region,) = body["regions"]
    assert region["region"] == "long" and region["years"] == [2020, 2022]
    assert set(region["thresholds_mw"]) == {"summer", "winter"}
    assert [lim["limit_pct"] for lim in region["limits"]] == [0.5, 1.0, 5.0]
    headroom = [lim["headroom_mw"] for lim in region["limits"]]
    assert headroom == sorted(headroom) and headroom[0] > 0
    csv = runner.invoke(app, [*args, "--format", "csv"]).output.splitlines()
    assert csv[0].startswith("region,timezone,years,summer_mw") and len(csv) == 4


def test_cli__short_region_one_line_naming_it(long_file, cli_env):
    path, _ = long_file
    from pipelines.cli import main

    with pytest.raises(SystemExit) as done:
        main(["flexibility", "--data", str(path), "--region", "short"])
    assert done.value.code == 1


def test_samples__seasonal_peak_without_capacity_and_capacity_path_with_it():
    load = synthetic_load("r", tz="UTC")
    empty = pl.DataFrame(schema={S.REGION: pl.String, S.TS: S.UTC_TS, S.VALUE: pl.Float64})
    samples = outlook_samples(load, empty, empty, "r", date(2022, 12, 31), years=2)
    assert samples.capacity is None
    assert samples.month_starts == tuple(forward_months(date(2022, 12, 31), 2))
    assert samples.month_starts[0] == date(2023, 1, 1) and len(samples.month_starts) == 24
    assert set(samples.ai_demand) == {"low", "base", "high"}
    assert np.all(samples.ai_demand["base"] == 0)  # no AI demand history: none added
    capacity = pl.DataFrame({S.REGION: ["r"], S.TS: [load[S.TS][0]], S.VALUE: [2000.0]})
    with_cap = outlook_samples(load, empty, capacity, "r", date(2022, 12, 31), years=1)
    assert np.all(with_cap.capacity == 2000.0)
    assert with_cap.peak_load.shape == (500, 12)
