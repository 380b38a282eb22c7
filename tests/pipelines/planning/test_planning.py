import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.catalog import UnknownRegionError
from pipelines.cli import app
from pipelines.config.settings import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.ingest.queues import ingest_queue_file
from pipelines.planning import answers as P
from pipelines.planning.queue_stats import queue_backtest, queue_contrast
from pipelines.store import Store

NOW = datetime(2025, 11, 29, 12, tzinfo=UTC)
SAMPLE = (
    Path(__file__).resolve().parents[3] / "data" / "samples" / "queues" / "pjm_planning_queue_dominion.csv"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Settings]:
    """Two years of demo data (the outlook needs complete months); read-only."""
    settings = Settings(home=tmp_path_factory.mktemp("planning") / "home")
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=730, seed=7)
    return store, settings


def test_run_outlook__60_months_with_every_scenario(demo):
    store, settings = demo
    out = P.run_outlook(store, settings, "us-nova", months=60, scenario="high")
    assert len(out.rows) == 60 and out.scenario == "high"
    assert set(out.rows[0].ai_demand) == {"low", "base", "high"}
    assert out.rows[-1].ai_demand["high"] > out.rows[0].ai_demand["high"]


def test_run_queue_risk__answers_in_the_api_shape(demo):
    store, settings = demo
    risk = P.run_queue_risk(store, settings, "us-wtx", 200, date(2028, 6, 1))
    assert risk.data_as_of <= NOW.date() and risk.risk in ("low", "medium", "high")
    assert 0.0 <= risk.p_energized_by_target <= 1.0
    with pytest.raises(UnknownRegionError):
        P.run_queue_risk(store, settings, "mars", 200, date(2028, 6, 1))


def test_run_siting__short_queues_rank_first_and_dense_racks_are_flagged(demo):
    store, settings = demo
    siting = P.run_siting(store, settings, 200, date(2028, 6, 1), rack_kw=80)
    order = [e.region for e in siting.ranking]
    assert order.index("nordics") < order.index("us-nova")
    flags = {e.region: e.rack_density_exceeded for e in siting.ranking}
    assert flags == {"us-nova": True, "de-fra": True, "us-wtx": False, "nordics": False}


def test_queue_backtest__demo_calibration(demo):
    store, settings = demo
    report = queue_backtest(store, settings)
    assert report.km_vs_catalog["inside"].all()
    assert report.concordance >= 0.65
    assert (report.summary["brier_model"] < report.summary["brier_km"]).all()


def test_queue_contrast__dominion_completed_median_hides_the_survival_view(tmp_path):
    settings = Settings(home=tmp_path / "home")
    store = Store(settings.tables)
    counts = ingest_queue_file(store, settings, SAMPLE, now=NOW)
    assert counts["stored"] > 1000 and counts["rejected"] == store.read("quarantine").height
    contrast = queue_contrast(store.read("queue_requests"), "us-nova")
    assert 3.0 < contrast["completed_median_years"] < 4.0
    assert contrast["km_median_years"] > contrast["completed_median_years"]
    assert contrast["p_in_service_within"]["5y"] < 0.5


def test_cli__risk_and_siting_print_json(demo, monkeypatch):
    _, settings = demo
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        risk = runner.invoke(
            app, ["risk", "nordics", "--mw", "200", "--by", "2028-06-01", "--format", "json"]
        )
        assert risk.exit_code == 0, risk.output
        assert set(json.loads(risk.output)) >= {"p_energized_by_target", "wait_days", "drivers"}
        siting = runner.invoke(app, ["siting", "--mw", "200", "--by", "2028-06-01", "--rack-kw", "80"])
        assert siting.exit_code == 0, siting.output
        assert "Iceland / Norway" in siting.output
    finally:
        get_settings.cache_clear()


def test_ingest_queue_file__reingest_changes_nothing(tmp_path):
    settings = Settings(home=tmp_path / "home")
    store = Store(settings.tables)
    first = ingest_queue_file(store, settings, SAMPLE, now=NOW)
    requests, quarantine = store.read("queue_requests"), store.read("quarantine")
    versions = store.version("queue_requests"), store.version("quarantine")
    again = ingest_queue_file(store, settings, SAMPLE, now=NOW + timedelta(days=1))
    assert again == first
    assert store.read("quarantine").height == quarantine.height
    assert store.read("queue_requests").sort("request_id").equals(requests.sort("request_id"))
    assert store.version("quarantine") == versions[1]
    assert quarantine["batch_id"].n_unique() == 1
