"""Planner answers a decision can rest on: served-at-D risk, checked dates, one outlook, provenance."""

import shutil
from datetime import date

import polars as pl
import pytest
from typer.testing import CliRunner

from forecast.planning.queue_risk import TargetDateError
from pipelines.cli import app, main
from pipelines.config.settings import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.ingest.queues import ingest_queue_file
from pipelines.planning import answers as P
from pipelines.planning.provenance import region_provenance
from pipelines.store import Store
from tests.pipelines.planning.test_planning import NOW, SAMPLE


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Settings]:
    """300 days of demo data (enough complete months for the outlook); read-only."""
    settings = Settings(home=tmp_path_factory.mktemp("answers") / "home")
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=300, seed=7)
    return store, settings


@pytest.fixture(scope="module")
def mixed(demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Settings]:
    """The demo plus the real PJM Dominion queue sample (us-nova): synthetic and real queue records."""
    _, settings = demo
    home = tmp_path_factory.mktemp("mixed") / "home"
    shutil.copytree(settings.home, home)
    settings = Settings(home=home)
    store = Store(settings.tables)
    ingest_queue_file(store, settings, SAMPLE, now=NOW)
    return store, settings


def test_outlook__a_month_answers_the_same_whatever_months_were_asked(demo):
    store, settings = demo
    short = P.run_outlook(store, settings, "us-wtx", months=2)
    long = P.run_outlook(store, settings, "us-wtx", months=60)
    assert len(short.rows) == 2 and len(long.rows) == 60
    assert short.rows[1] == long.rows[1]
    assert short.issued_at == long.issued_at and short.inputs["months"] == 2


def test_risk__served_at_the_target_never_beats_headroom_at_the_target(demo):
    store, settings = demo
    risk = P.run_queue_risk(store, settings, "us-wtx", 1000, date(2031, 6, 1), scenario="high")
    assert risk.p_energized_by_target <= 1 - risk.headroom_shortfall_probability + 1e-9
    assert risk.p_energized_by_target == pytest.approx(
        risk.p_connected_by_target * risk.p_headroom_holds_given_connected, abs=2e-4
    )
    assert risk.inputs["mw"] == 1000 and risk.inputs["scenario"] == "high" and risk.issued_at


@pytest.mark.parametrize(("target", "reason"), [(date(2020, 1, 1), "as-of"), (date(2070, 1, 1), "beyond")])
def test_risk__past_and_far_targets_are_refused_with_the_range(demo, target, reason):
    store, settings = demo
    with pytest.raises(TargetDateError) as err:
        P.run_queue_risk(store, settings, "nordics", 50, target)
    assert err.value.field == "target_date" and reason in str(err.value)
    assert err.value.earliest <= NOW.date() < err.value.latest < date(2070, 1, 1)
    with pytest.raises(TargetDateError):
        P.run_siting(store, settings, 50, target)


def test_provenance__demo_says_which_inputs_are_synthetic(demo):
    store, settings = demo
    risk = P.run_queue_risk(store, settings, "us-nova", 200, date(2028, 6, 1))
    kinds = {e.series: e.synthetic for e in risk.provenance}
    assert kinds == {"grid_load": False, "capacity": True, "ai_demand": True, "queue_requests": True}
    assert all(e.as_of is not None and e.rows > 0 for e in risk.provenance)
    assert any("Synthetic inputs" in w and "capacity" in w for w in risk.warnings)
    siting = P.run_siting(store, settings, 200, date(2028, 6, 1))
    assert all(entry.provenance for entry in siting.ranking) and siting.warnings


def test_provenance__real_queue_file_is_not_synthetic_and_keeps_its_own_as_of(tmp_path):
    settings = Settings(home=tmp_path / "home")
    store = Store(settings.tables)
    ingest_queue_file(store, settings, SAMPLE, now=NOW)
    (entry,) = region_provenance(store, "us-nova")
    assert entry.series == "queue_requests" and not entry.synthetic and entry.as_of < NOW.date()


def test_provenance__a_mix_of_real_and_synthetic_queue_records_says_so(mixed):
    store, settings = mixed
    risk = P.run_queue_risk(store, settings, "us-nova", 200, date(2030, 6, 1))
    queue = [e for e in risk.provenance if e.series == "queue_requests"]
    assert {e.synthetic for e in queue} == {True, False}
    assert len({e.as_of for e in queue}) == 2
    assert any("mixes real and synthetic" in w for w in risk.warnings)
    real = next(e.source for e in queue if not e.synthetic)
    only_real = P.run_queue_risk(store, settings, "us-nova", 200, date(2030, 6, 1), queue_sources=[real])
    assert not any("mixes" in w for w in only_real.warnings)
    assert only_real.inputs["queue_sources"] == [real]
    with pytest.raises(P.UnknownQueueSourceError):
        P.run_queue_risk(store, settings, "us-nova", 200, date(2030, 6, 1), queue_sources=["nope"])


def test_queue_censoring__each_source_at_its_own_as_of(mixed):
    store, _ = mixed
    requests = store.read("queue_requests")
    survival, latest = P.censored_by_source(requests, None)
    real = requests.filter(~pl.col("source").str.contains("synthetic"))
    real_as_of = P.queue_data_as_of(real)
    assert real_as_of < latest
    waiting = real.filter(pl.col("status") == "active")
    rows = survival.join(waiting.select("region", "request_id", "requested_on"), on=["region", "request_id"])
    assert rows.height > 0
    expected = (pl.lit(real_as_of) - pl.col("requested_on")).dt.total_days().clip(lower_bound=1)
    assert rows.select((pl.col("duration_days") == expected).all()).item()


def test_cli__a_past_target_is_one_line_naming_the_field(demo, monkeypatch, capsys):
    _, settings = demo
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_:
            main(["risk", "nordics", "--mw", "50", "--by", "2020-01-01"])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and len(err.splitlines()) == 1
    assert err.startswith("error: target_date 2020-01-01") and "allowed: after" in err


def test_cli__risk_table_shows_both_parts_and_the_sources(demo, monkeypatch):
    _, settings = demo
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["risk", "us-nova", "--mw", "200", "--by", "2028-06-01"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "p_connected_by_target" in result.output and "p_headroom_holds" in result.output
    assert "capacity: demo:synthetic (SYNTHETIC" in result.output


def test_scale__every_answer_names_the_grid_and_what_it_cannot_see(demo):
    store, settings = demo
    risk = P.run_queue_risk(store, settings, "de-fra", 200, date(2028, 6, 1))
    assert "DE-LU" in risk.grid.describes and risk.grid.peak_mw > 50000
    assert "substation" in risk.grid.outside_model
    outlook = P.run_outlook(store, settings, "us-wtx", months=3)
    assert "Far West" in outlook.grid.describes
    siting = P.run_siting(store, settings, 200, date(2028, 6, 1))
    assert all(entry.grid and entry.grid.describes for entry in siting.ranking)
