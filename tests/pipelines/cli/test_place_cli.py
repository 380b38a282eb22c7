"""`headroom place`: ranked plans as a table or JSON, and one-line errors naming the field."""

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli import app, main
from pipelines.config.settings import get_settings

runner = CliRunner()
AS_OF = ["--as-of", "2026-06-15T12:30:00Z"]


@pytest.fixture
def demo_env(demo_settings, monkeypatch):
    monkeypatch.setenv("HEADROOM_HOME", str(demo_settings.home))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_place__json_ranks_plans_and_names_the_issue(demo_env):
    result = runner.invoke(app, ["place", "--mw", "3000", "--hours", "24", "--format", "json", *AS_OF])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["issued_at"] == "2026-06-15T12:30:00Z" and body["n_samples"] == 200
    assert body["window_start"] == "2026-06-15T13:00:00Z"
    p = [plan["p_uninterrupted"] for plan in body["plans"]]
    assert p == sorted(p, reverse=True) and len(p) == 10
    fields = {"region", "start", "end", "p_uninterrupted", "expected_curtailed_mwh", "reason"}
    assert fields <= set(body["plans"][0])


def test_place__split_table_shows_mw_per_region(demo_env):
    result = runner.invoke(
        app,
        ["place", "--mw", "3000", "--hours", "24", "--split", "--region", "nordics", "--region", "us-wtx",
         "--top", "3", *AS_OF],
    )
    assert result.exit_code == 0, result.output
    assert "MW nordics + " in result.output and "best: " in result.output


def test_place__interruptible_gives_finish_times(demo_env):
    result = runner.invoke(
        app, ["place", "--mw", "3000", "--hours", "24", "--interruptible", "--format", "json", *AS_OF]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)["plans"][0]
    assert plan["p90_finish"] >= plan["start"] and "p_finish_by_deadline" in plan


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--mw", "0", "--hours", "4"], "error: mw: must be a positive number"),
        (["--mw", "10", "--hours", "400"], "error: hours: the job needs 400 h"),
        (["--mw", "10", "--hours", "4", "--region", "xx"], "known regions: ['de-fra'"),
        (["--mw", "10", "--hours", "4", "--earliest", "soon"], "error: --earliest must be an ISO 8601"),
        (["--mw", "10", "--hours", "4", "--earliest", "2026-06-18T00:00Z", "--deadline", "2026-06-17T00:00Z"],
         "error: deadline: "),
    ],
)
def test_place__bad_input_is_one_line_naming_the_field(demo_env, capsys, args, text):
    with pytest.raises(SystemExit) as info:
        main(["place", *args, *AS_OF])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert text in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
