"""`headroom jobs list | run | history`."""

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli import app, main
from pipelines.demo import run_demo
from tests.conftest import NOW

runner = CliRunner()


def test_jobs__run_then_history_shows_the_run(settings, store):
    run_demo(store, settings, NOW, days=10, seed=1)
    result = runner.invoke(app, ["jobs", "run", "refresh"])
    assert result.exit_code == 0, result.output
    assert "refresh: ok" in result.output
    history = runner.invoke(app, ["jobs", "history", "--format", "json"])
    rows = json.loads(history.output)["rows"]
    assert {r["job"] for r in rows} == {"refresh", "train"}


def test_jobs__list_shows_every_job_and_its_schedule(settings):
    result = runner.invoke(app, ["jobs", "list", "--format", "json"])
    rows = {r["job"]: r for r in json.loads(result.output)["rows"]}
    assert rows["refresh"]["schedule"] == settings.schedule_refresh
    assert {"refresh", "compact"} <= set(rows)


def test_jobs__unknown_job_is_one_line(settings, capsys):
    with pytest.raises(SystemExit):
        main(["jobs", "run", "nope"])
    assert capsys.readouterr().err.startswith("error: unknown job 'nope'")
