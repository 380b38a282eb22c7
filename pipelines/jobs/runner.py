"""Runs one job: takes its lock, calls it, retries transient failures, records the run."""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime

from forecast.errors import UserError
from pipelines.config.settings import Settings, get_settings
from pipelines.jobs.locks import job_lock
from pipelines.jobs.schedule import JOBS, TransientJobError
from pipelines.jobs.scheduler import next_runs
from pipelines.runs import last_runs, record_run
from pipelines.store import Store, open_store


class UnknownJobError(UserError, KeyError):
    """A job name that is not in the schedule."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")

    def __str__(self) -> str:
        return self.args[0]


TRANSIENT = (TransientJobError, TimeoutError, ConnectionError)


@dataclass(frozen=True)
class RunResult:
    """How one run of a job ended."""

    job: str
    run_id: str
    status: str  # ok | error | skipped
    started_at: datetime
    finished_at: datetime
    figures: dict
    error: str | None = None


def run_job(
    name: str, settings: Settings | None = None, store: Store | None = None, **params: object
) -> RunResult:
    """Run a job now; a job already running elsewhere is recorded as skipped, never overlapped.

    `params` go to the job's function (e.g. `regions` and `triggered_by` for a retrain that drift asks for).
    """
    if name not in JOBS:
        raise UnknownJobError(name)
    settings = settings or get_settings()
    store = store or open_store(settings)
    started = datetime.now(UTC)
    with job_lock(settings, name) as acquired:
        if not acquired:
            return _finish(store, name, started, "skipped", {"reason": "already running"})
        delay = settings.job_backoff_seconds
        for attempt in range(settings.job_retries + 1):
            try:
                figures = JOBS[name].func(store, settings, started, **params)
                return _finish(store, name, started, "ok", {**figures, "attempts": attempt + 1})
            except TRANSIENT as exc:
                if attempt == settings.job_retries:
                    return _finish(store, name, started, "error", {"attempts": attempt + 1}, repr(exc))
                time.sleep(delay)  # backoff between retries of a transient failure
                delay *= 2
            except Exception as exc:  # recorded loudly in the run record, then re-raised
                _finish(store, name, started, "error", {}, "".join(traceback.format_exception(exc)))
                raise
    raise AssertionError("unreachable")


def _finish(
    store: Store, name: str, started: datetime, status: str, figures: dict, error: str | None = None
) -> RunResult:
    finished = datetime.now(UTC)
    run_id = record_run(store, name, started, status, figures, error, finished)
    return RunResult(name, run_id, status, started, finished, figures, error)


def scheduled_run(name: str) -> None:
    """Entry point the scheduler calls by reference (so its persistent job store can pickle it)."""
    run_job(name)


@dataclass(frozen=True)
class JobStatus:
    """A job's schedule, next run and last result."""

    name: str
    description: str
    schedule: str
    next_run: datetime | None
    last: dict | None


def job_statuses(store: Store, settings: Settings) -> list[JobStatus]:
    """Every job of the schedule with its next run (from the job store) and its last recorded run."""
    upcoming = next_runs(settings)
    last = {row["job"]: row for row in last_runs(store).iter_rows(named=True)}
    statuses = []
    for name, job in JOBS.items():
        run = last.get(name)
        statuses.append(
            JobStatus(
                name,
                job.description,
                job.schedule(settings),
                upcoming.get(name),
                None
                if run is None
                else {
                    "status": run["status"],
                    "started_at": run["started_at"],
                    "finished_at": run["finished_at"],
                    "error": run["error"],
                    "figures": json.loads(run["figures"] or "{}"),
                },
            )
        )
    return statuses
