"""Planned capacity additions and retirements: stored, fed into the outlook, risk and siting, checked."""

import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from forecast.catalog import UnknownRegionError
from forecast.planning.capacity_plan import InvalidPlannedChangeError
from pipelines.cli import app, main
from pipelines.config.settings import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.planning import answers as P
from pipelines.planning.capacity_plan import add_planned_change, list_planned_changes
from pipelines.store import Store
from tests.pipelines.planning.test_planning import NOW


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("plan") / "home")
    run_demo(Store(settings.tables), settings, NOW, days=300, seed=7)
    return settings


@pytest.fixture
def demo(demo_home, tmp_path) -> tuple[Store, Settings]:
    """A writable copy of the demo home."""
    home = tmp_path / "home"
    shutil.copytree(demo_home.home, home)
    settings = Settings(home=home)
    return Store(settings.tables), settings


def _p50(outlook) -> list[float]:
    return [r.headroom["p50"] for r in outlook.rows]


def test_plan__an_addition_raises_headroom_by_its_mw_from_its_month(demo):
    store, settings = demo
    before = P.run_outlook(store, settings, "us-wtx", months=24)
    start = before.rows[6].month
    add_planned_change(store, settings, "us-wtx", 500, start, "new CCGT")
    after = P.run_outlook(store, settings, "us-wtx", months=24)
    shift = [a - b for a, b in zip(_p50(after), _p50(before), strict=True)]
    assert shift[:6] == pytest.approx([0.0] * 6, abs=0.11)
    assert shift[6:] == pytest.approx([500.0] * 18, abs=0.11)
    assert after.rows[6].capacity - before.rows[6].capacity == pytest.approx(500.0)


def test_plan__a_retirement_lowers_headroom_from_its_month(demo):
    store, settings = demo
    before = P.run_outlook(store, settings, "us-wtx", months=12)
    add_planned_change(store, settings, "us-wtx", -300, before.rows[3].month)
    after = P.run_outlook(store, settings, "us-wtx", months=12)
    shift = [a - b for a, b in zip(_p50(after), _p50(before), strict=True)]
    assert shift[:3] == pytest.approx([0.0] * 3, abs=0.11)
    assert shift[3:] == pytest.approx([-300.0] * 9, abs=0.11)


def test_plan__risk_sees_it_and_answers_name_it(demo):
    store, settings = demo
    target = date(2028, 6, 1)
    before = P.run_queue_risk(store, settings, "us-wtx", 1500, target, scenario="high")
    assert "capacity_plan" not in before.inputs
    change = add_planned_change(store, settings, "us-wtx", 5000, date(2027, 1, 1), "new line")
    after = P.run_queue_risk(store, settings, "us-wtx", 1500, target, scenario="high")
    assert after.headroom_shortfall_probability < before.headroom_shortfall_probability
    assert after.inputs["capacity_plan"] == [
        {"id": change.id, "mw": 5000.0, "from_date": "2027-01-01", "note": "new line"}
    ]
    plan = [e for e in after.provenance if e.series == "capacity_plan"]
    assert len(plan) == 1 and plan[0].rows == 1 and not plan[0].synthetic
    outlook = P.run_outlook(store, settings, "us-nova", months=6)
    assert "capacity_plan" not in outlook.inputs  # another region's plan is not this one's


@pytest.mark.parametrize(
    ("region", "mw", "start", "error", "field"),
    [
        ("atlantis", 100, date(2027, 1, 1), UnknownRegionError, None),
        ("us-wtx", 0, date(2027, 1, 1), InvalidPlannedChangeError, "mw"),
        ("us-wtx", 1e9, date(2027, 1, 1), InvalidPlannedChangeError, "mw"),
        ("us-wtx", 100, date(1900, 1, 1), InvalidPlannedChangeError, "from_date"),
    ],
)
def test_plan__bad_entries_are_refused_naming_the_field(demo, region, mw, start, error, field):
    store, settings = demo
    with pytest.raises(error) as caught:
        add_planned_change(store, settings, region, mw, start)
    if field:
        assert caught.value.field == field and str(caught.value).startswith(f"{field}:")
    assert list_planned_changes(store) == []


def _cli(settings: Settings, monkeypatch, args: list[str]):
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()


def test_cli__add_then_list(demo, monkeypatch):
    _, settings = demo
    added = _cli(settings, monkeypatch, ["capacity", "add", "us-wtx", "--mw", "-250", "--from", "2027-03-01",
                                         "--note", "coal unit retires"])
    assert added.exit_code == 0, added.output
    assert "retirement" in added.output and "-250.0 MW" in added.output
    listed = _cli(settings, monkeypatch, ["capacity", "list", "--region", "us-wtx", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    assert "us-wtx,-250.0,2027-03-01,coal unit retires" in listed.output


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["us-wtx", "--mw", "100", "--from", "2027-02-30"], "error: --from must be a date"),
        (["us-wtx", "--mw", "0", "--from", "2027-02-01"], "error: mw: must be non-zero"),
        (["atlantis", "--mw", "10", "--from", "2027-02-01"], "error: unknown region 'atlantis'"),
    ],
)
def test_cli__bad_input_is_one_line(demo, monkeypatch, capsys, args, start):
    _, settings = demo
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_:
            main(["capacity", "add", *args])
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and len(err.splitlines()) == 1 and err.startswith(start), err
