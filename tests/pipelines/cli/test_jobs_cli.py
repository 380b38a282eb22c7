"""`headroom jobs list | run | history`."""

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli import app, main
from pipelines.demo import run_demo
from pipelines.training.train import run_train
from tests.conftest import NOW

runner = CliRunner()


def test_jobs__run_then_history_shows_the_run(settings, store):
    run_demo(store, settings, NOW, days=10, seed=1)
    result = runner.invoke(app, ["jobs", "run", "refresh"])
    assert result.exit_code == 0, result.output
    assert "refresh: ok" in result.output
    history = runner.invoke(app, ["jobs", "history", "--format", "json"])
    rows = json.loads(history.output)["rows"]
    assert {r["job"] for r in rows} == {"refresh"}  # fitting the first champions is part of the run
    assert '"promoted"' in rows[0]["figures"]


def test_jobs__list_shows_every_job_and_its_schedule(settings):
    result = runner.invoke(app, ["jobs", "list", "--format", "json"])
    rows = {r["job"]: r for r in json.loads(result.output)["rows"]}
    assert rows["refresh"]["schedule"] == settings.schedule_refresh
    assert {"refresh", "compact"} <= set(rows)


def test_jobs__unknown_job_is_one_line(settings, capsys):
    with pytest.raises(SystemExit):
        main(["jobs", "run", "nope"])
    assert capsys.readouterr().err.startswith("error: unknown job 'nope'")


def test_jobs_run_retrain__prints_each_decision_and_why(settings, store):
    run_demo(store, settings, NOW, days=20, seed=1)
    run_train(store, settings, NOW)
    result = runner.invoke(app, ["jobs", "run", "retrain"])
    assert result.exit_code == 0, result.output
    assert "retrain: ok" in result.output
    line = next(x for x in result.output.splitlines() if "us-nova/grid_load" in x)
    assert "promoted" in line or "kept champion" in line
    assert "MASE" in line or "coverage" in line
