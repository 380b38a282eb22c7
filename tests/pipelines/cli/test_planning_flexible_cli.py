"""`headroom risk --flexible` and `headroom siting --flexible --rank-by flexible` (#17 item 2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli import app, main
from pipelines.config.settings import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.store import Store
from tests.conftest import NOW

runner = CliRunner()


@pytest.fixture(scope="module")
def year_home(tmp_path_factory) -> Settings:
    settings = Settings(home=tmp_path_factory.mktemp("flexcli") / "home")
    run_demo(Store(settings.tables), settings, NOW, days=560, seed=7)
    return settings


@pytest.fixture
def year_env(year_home, monkeypatch):
    monkeypatch.setenv("HEADROOM_HOME", str(year_home.home))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_risk__flexible_prints_firm_and_flexible_headroom_side_by_side(year_env):
    argv = ["risk", "us-nova", "--mw", "200", "--by", "2028-06-01", "--flexible", "--curtailment-pct", "5"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert "firm headroom Jun 2028" in result.output
    assert "flexible headroom 2028 at 5 % curtailment (capacity_series)" in result.output


def test_siting__rank_by_flexible_orders_by_the_flexible_probability(year_env):
    argv = ["siting", "--mw", "200", "--by", "2028-06-01", "--flexible", "--rank-by", "flexible"]
    result = runner.invoke(app, [*argv, "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    p = [c["headroom_at_target"]["flexible"]["p_energized"] for c in body["ranking"]]
    assert body["rank_by"] == "flexible" and p == sorted(p, reverse=True)


def test_siting__rank_by_flexible_without_flexible_is_one_line(year_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["siting", "--mw", "200", "--by", "2028-06-01", "--rank-by", "flexible"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "rank_by 'flexible'" in err and "--flexible" in err
