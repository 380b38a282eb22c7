"""Jobs run under a lock, retry transient failures, and every run is recorded."""

import json

import polars as pl
import pytest

from pipelines.demo import run_demo
from pipelines.jobs import schedule as jobs_module
from pipelines.jobs.runner import TransientJobError, UnknownJobError, job_lock, run_job
from pipelines.jobs.schedule import Job
from tests.conftest import NOW


@pytest.fixture
def fast_settings(settings):
    return settings.model_copy(update={"job_backoff_seconds": 0.0, "job_retries": 2})


def _install(monkeypatch, func):
    monkeypatch.setitem(jobs_module.JOBS, "probe", Job("probe", func, "schedule_refresh", "test"))
    monkeypatch.setattr("pipelines.jobs.runner.JOBS", jobs_module.JOBS)


def test_run_job__records_figures_of_a_successful_run(monkeypatch, fast_settings, store):
    _install(monkeypatch, lambda store, settings, now: {"rows": 3})
    result = run_job("probe", fast_settings, store)
    assert result.status == "ok" and result.figures == {"rows": 3, "attempts": 1}
    runs = store.read("runs")
    assert runs["job"].to_list() == ["probe"] and json.loads(runs["figures"][0])["rows"] == 3


def test_run_job__transient_failures_are_retried_with_backoff(monkeypatch, fast_settings, store):
    calls = []

    def flaky(store, settings, now):
        calls.append(1)
        if len(calls) < 3:
            raise TransientJobError("source timed out")
        return {}

    _install(monkeypatch, flaky)
    assert run_job("probe", fast_settings, store).figures["attempts"] == 3


def test_run_job__transient_failures_past_the_retries_are_recorded_as_error(
    monkeypatch, fast_settings, store
):
    _install(monkeypatch, lambda *a: (_ for _ in ()).throw(TimeoutError("still down")))
    result = run_job("probe", fast_settings, store)
    assert result.status == "error" and "still down" in result.error
    assert store.read("runs")["status"].to_list() == ["error"]


def test_run_job__unexpected_error_is_recorded_then_raised(monkeypatch, fast_settings, store):
    _install(monkeypatch, lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_job("probe", fast_settings, store)
    run = store.read("runs").row(0, named=True)
    assert run["status"] == "error" and "ZeroDivisionError" in run["error"]


def test_run_job__a_job_already_running_is_skipped_not_overlapped(monkeypatch, fast_settings, store):
    _install(monkeypatch, lambda *a: pytest.fail("must not run while locked"))
    with job_lock(fast_settings, "probe") as held:
        assert held
        result = run_job("probe", fast_settings, store)
    assert result.status == "skipped" and result.figures["reason"] == "already running"


def test_run_job__unknown_job_names_the_jobs(fast_settings):
    with pytest.raises(UnknownJobError, match="jobs: ingest, refresh"):
        run_job("nope", fast_settings)


def test_refresh__trains_only_when_the_data_changed(settings, store):
    run_demo(store, settings, NOW, days=14, seed=2)
    first = run_job("refresh", settings, store)
    second = run_job("refresh", settings, store)
    assert "model_version" in first.figures
    assert "already made from data version" in second.figures["skipped"]
    store.append("observations", store.read("observations").head(1).with_columns(pl.col("value") + 1))
    assert "model_version" in run_job("refresh", settings, store).figures


def test_ingest_job__drains_the_inbox_and_counts_rows(settings, store):
    inbox = settings.home / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "load.csv").write_text(
        "region,series,ts,value,unit\nus-nova,grid_load,2026-01-01T00:00:00Z,12000,MW\n"
        "us-nova,grid_load,2026-01-01T01:00:00Z,12100,MW\n"
    )
    result = run_job("ingest", settings, store)
    assert result.figures["batches"] == 1 and result.figures["accepted"] == 2
    assert store.read("observations").height == 2
    assert not (inbox / "load.csv").exists()


def test_compact_job__merges_small_files_and_keeps_every_row(settings, store):
    for hour in range(5):
        run_demo(store, settings, NOW.replace(hour=hour), days=1, seed=hour)
    before = store.read("observations")
    result = run_job("compact", settings, store)
    assert result.figures["observations"]["optimize"]["numFilesRemoved"] >= 5
    assert store.read("observations").sort(before.columns).equals(before.sort(before.columns))
