"""The scheduler: persistent schedules that resume without rerunning, and fresh forecasts."""

import time
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from pipelines.demo import run_demo
from pipelines.jobs.scheduler import (
    ScheduleError,
    next_runs,
    observations_arrived,
    parse_trigger,
    start_scheduler,
)
from pipelines.serving.published import PublishedForecasts
from tests.conftest import NOW


@pytest.mark.parametrize("value", ["interval:0", "interval:abc", "cron:61 * * * *", "every:5", "cron:"])
def test_parse_trigger__bad_schedule_names_job_and_format(value):
    with pytest.raises(ScheduleError, match=r"schedule of job 'refresh'.*interval:SECONDS"):
        parse_trigger("refresh", value)


def test_scheduler__restart_keeps_next_run_times(settings):
    slow = settings.model_copy(
        update={"schedule_refresh": "interval:3600", "schedule_compact": "interval:7200"}
    )
    first = start_scheduler(slow)
    before = next_runs(slow)
    first.shutdown()
    second = start_scheduler(slow)
    after = next_runs(slow)
    second.shutdown()
    assert set(before) == {"ingest", "refresh", "retrain", "drift", "compact"}
    assert before == after


def test_scheduler__changed_schedule_replaces_the_stored_one(settings):
    start_scheduler(settings.model_copy(update={"schedule_refresh": "interval:3600"})).shutdown()
    changed = settings.model_copy(update={"schedule_refresh": "interval:60"})
    start_scheduler(changed).shutdown()
    assert next_runs(changed)["refresh"] <= datetime.now(UTC) + timedelta(seconds=61)


def test_scheduler__new_observation_reaches_the_served_forecast(settings, store):
    run_demo(store, settings, NOW, days=14, seed=2)
    fast = settings.model_copy(update={"schedule_refresh": "interval:0.5", "job_backoff_seconds": 0.0})
    published = PublishedForecasts(store)
    scheduler = start_scheduler(fast)
    try:
        deadline = time.monotonic() + 60
        while published.refresh() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # waiting for the scheduler's first refresh, bounded
        first_hour = published.rows[S.TS].min()
        latest = store.read("observations").filter(pl.col(S.SERIES) == S.GRID_LOAD)
        newer = latest.sort(S.TS).group_by(S.REGION).tail(1).with_columns(pl.col(S.TS) + timedelta(hours=1))
        store.append("observations", newer)
        while time.monotonic() < deadline:
            published.refresh()
            if published.rows[S.TS].min() > first_hour:
                break
            time.sleep(0.2)
    finally:
        scheduler.shutdown()
    assert published.rows[S.TS].min() == first_hour + timedelta(hours=1), "not refreshed within 60 s"


def test_observations_arrived__brings_refresh_forward_in_this_process_only(settings):
    assert not observations_arrived(5)  # no scheduler here: the interval will pick it up
    slow = settings.model_copy(update={"schedule_refresh": "interval:3600"})
    scheduler = start_scheduler(slow)
    try:
        scheduler.pause()  # keep the job from running while its next run time is read
        assert not observations_arrived(0)
        assert scheduler.get_job("refresh").next_run_time > datetime.now(UTC) + timedelta(minutes=50)
        assert observations_arrived(3)
        assert scheduler.get_job("refresh").next_run_time <= datetime.now(UTC)
    finally:
        scheduler.shutdown()
    assert not observations_arrived(3)
