"""Headroom for every real region (issue #17): a region without a capacity series stands on its
seasonal-peak thresholds, and the published issue names each region's basis."""

from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from forecast import schema as S
from forecast.flexibility import CAPACITY_SERIES, SEASONAL_PEAK, clean_load, thresholds_of
from pipelines.config.region_files import add_regions, load_catalog
from pipelines.config.settings import Settings
from pipelines.demo import run_demo
from pipelines.flexibility.basis import issue_bases
from pipelines.ingest.observations import ingest_file
from pipelines.serving.published import latest_issues
from pipelines.store import Store, load_series
from pipelines.training.train import run_train
from tests.conftest import NOW

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "samples" / "grid_load_us-nova.parquet"
REAL = "xx-dom"


def add_dom_region(settings: Settings) -> None:
    """A catalog region with no source identifiers of its own (its file names it by id)."""
    nova = load_catalog(settings)["us-nova"]
    add_regions(settings, [nova.model_copy(update={"id": REAL, "name": "PJM Dominion", "sources": {}})])


def long_file(folder: Path, days: int) -> Path:
    """The shipped EIA-930 PJM-DOM load (real values) as a long file `region, series, ts, value, unit`,
    moved in whole weeks so that it ends just before NOW."""
    load = pl.read_parquet(SAMPLE).sort(S.TS).tail(days * 24)
    shift = timedelta(weeks=(NOW - load[S.TS][-1]) // timedelta(weeks=1))
    path = folder / f"pjm_dom_{days}d.csv"
    load.select(
        pl.lit(REAL).alias(S.REGION), pl.lit(S.GRID_LOAD).alias(S.SERIES),
        (pl.col(S.TS) + shift).dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(S.TS),
        pl.col(S.VALUE), pl.lit("MW").alias("unit"),
    ).write_csv(path)
    return path


def basis_home(folder: Path):
    """Demo regions (capacity series) and one region of real EIA-930 load from a long file (no capacity,
    no AI demand), 800 days (2025 whole), trained once with the baseline."""
    settings = Settings(home=folder / "home", n_samples=40, path_samples=20, default_horizon=48)
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=20, seed=7)
    add_dom_region(settings)
    ingest_file(store, settings, long_file(folder, 800), fmt="long", now=NOW)
    report = run_train(store, settings, NOW)
    return settings, store, report


@pytest.fixture(scope="module")
def real_home(tmp_path_factory):
    return basis_home(tmp_path_factory.mktemp("basis"))


def test_train__region_without_capacity_publishes_headroom_against_its_seasonal_peaks(real_home):
    settings, store, report = real_home
    assert REAL in report.regions and REAL not in report.skipped
    assert load_series(store, S.CAPACITY, [REAL]).is_empty()  # nothing invented in the observations
    rows = latest_issues(store).filter(pl.col(S.REGION) == REAL)
    assert set(rows[S.TARGET].unique()) == set(S.TARGETS)
    clean = clean_load(load_series(store, S.GRID_LOAD, [REAL]), REAL, load_catalog(settings)[REAL].timezone)
    thresholds = thresholds_of(clean)
    capacity = rows.filter((pl.col(S.TARGET) == S.CAPACITY) & (pl.col(S.QUANTILE) == 0.5))[S.VALUE]
    assert set(capacity.round(0).to_list()) <= {round(thresholds.summer), round(thresholds.winter)}
    median = rows.filter((pl.col(S.TARGET) == S.HEADROOM) & (pl.col(S.QUANTILE) == 0.5))
    assert median.height == settings.default_horizon and (median[S.VALUE] > 0).all()


def test_train__every_published_region_names_its_basis(real_home):
    _, store, report = real_home
    bases = issue_bases(store, latest_issues(store))
    assert bases[REAL] == SEASONAL_PEAK
    assert {bases[r] for r in report.regions if r != REAL} == {CAPACITY_SERIES}


def test_train__region_without_capacity_or_a_whole_year_is_skipped_with_the_reason(tmp_path):
    settings = Settings(home=tmp_path / "home", n_samples=20, path_samples=0, default_horizon=24)
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=20, seed=7)
    add_dom_region(settings)
    ingest_file(store, settings, long_file(tmp_path, 300), fmt="long", now=NOW)
    report = run_train(store, settings, NOW)
    assert "seasonal-peak basis" in report.skipped[REAL] and "whole calendar year" in report.skipped[REAL]
    assert "us-nova" in report.regions


def test_cli__store_region_prints_the_forward_band_as_http_gives_it(real_home, monkeypatch):
    import json

    from typer.testing import CliRunner

    from pipelines.cli import app
    from pipelines.config.settings import get_settings
    from pipelines.flexibility.answers import run_region_flexibility

    settings, store, _ = real_home
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    runner, args = CliRunner(), ["flexibility", "--region", REAL, "--limits", "1,5"]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Forward curtailment-enabled headroom" in table.output and "P90 MW" in table.output
    (region,) = json.loads(runner.invoke(app, [*args, "--format", "json"]).output)["regions"]
    http = run_region_flexibility(store, get_settings(), REAL, (1.0, 5.0))
    assert region["outlook"]["basis"] == http.basis == SEASONAL_PEAK
    assert region["outlook"]["rows"] == http.forward.drop("basis").to_dicts()
    csv = pl.read_csv(runner.invoke(app, [*args, "--format", "csv"]).output.encode())
    counts = csv["kind"].value_counts().sort("kind").rows()
    assert counts == [("forward", len(http.forward)), ("historical", 2)]
    history_only = runner.invoke(app, [*args, "--history-only"])
    assert history_only.exit_code == 0 and "Forward" not in history_only.output
    get_settings.cache_clear()


def test_cli__data_file_prints_history_unless_forward_is_asked(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipelines.cli import app
    from pipelines.config.settings import get_settings

    monkeypatch.setenv("HEADROOM_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    path = long_file(tmp_path, 800)
    args = ["flexibility", "--data", str(path), "--limits", "1"]
    plain = CliRunner().invoke(app, args)
    assert plain.exit_code == 0, plain.output
    assert "Forward" not in plain.output
    asked = CliRunner().invoke(app, [*args, "--forward"])
    assert asked.exit_code == 0, asked.output
    assert "Forward curtailment-enabled headroom" in asked.output and "seasonal_peak" in asked.output
    get_settings.cache_clear()


def test_outlook_and_risk__a_region_without_capacity_stand_on_its_seasonal_peaks(real_home):
    from pipelines.planning.answers import run_outlook

    settings, store, _ = real_home
    outlook = run_outlook(store, settings, REAL, 24, "base")
    assert outlook.grid.capacity_basis == SEASONAL_PEAK
    assert any("seasonal peak" in w for w in outlook.warnings)
    thresholds = thresholds_of(clean_load(load_series(store, S.GRID_LOAD, [REAL]), REAL, "America/New_York"))
    by_month = {row.month.month: row for row in outlook.rows}
    assert by_month[7].capacity == pytest.approx(thresholds.summer)
    assert by_month[1].capacity == pytest.approx(thresholds.winter)
    assert by_month[7].capacity > by_month[1].capacity  # PJM Dominion peaks in summer here
