"""The runs table, its one owner: every run is written and every "last run" is read here."""

from __future__ import annotations

import json
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import polars as pl
from deltalake.exceptions import DeltaError

from pipelines.store import Store

T = TypeVar("T")

def record_run(
    store: Store,
    job: str,
    started_at: datetime,
    status: str,
    figures: dict | None = None,
    error: str | None = None,
    finished_at: datetime | None = None,
) -> str:
    """Append one run record; returns its run id."""
    run_id = uuid.uuid4().hex
    store.append(
        "runs",
        pl.DataFrame(
            [
                {
                    "run_id": run_id,
                    "job": job,
                    "started_at": started_at,
                    "finished_at": finished_at or datetime.now(UTC),
                    "status": status,
                    "error": error,
                    "figures": json.dumps(figures or {}, default=str),
                }
            ]
        ),
    )
    return run_id


PUBLISHING_JOBS = ("train", "retrain", "refresh")


def last_published_version(store: Store) -> int | None:
    """The observations version that the latest successful publishing run (train, retrain or
    refresh) used; None when nothing was published yet."""
    runs = (
        store.scan("runs")
        .filter(pl.col("job").is_in(PUBLISHING_JOBS) & (pl.col("status") == "ok"))
        .sort("started_at", descending=True)
        .select("figures")
        .collect()
    )
    for text in runs["figures"]:
        figures = json.loads(text or "{}")
        if "data_version" in figures:
            return figures["data_version"]
    return None


def recorded(
    store: Store, job: str, started_at: datetime, func: Callable[[], T], figures: Callable[[T], dict]
) -> T:
    """Run `func` as a run of `job` and return its result: `figures(result)` is recorded as ok, an
    exception as error (re-raised)."""
    try:
        result = func()
    except Exception as exc:
        record_run(store, job, started_at, "error", {}, "".join(traceback.format_exception(exc)))
        raise
    record_run(store, job, started_at, "ok", figures(result))
    return result


def last_runs(store: Store) -> pl.DataFrame:
    """The latest run of each job that ever ran (`job, status, started_at, finished_at, error, figures`)."""
    try:
        if store.version("runs") is None:
            return pl.DataFrame(schema={"job": pl.String, "status": pl.String})
        return (
            store.scan("runs").sort("started_at").group_by("job").agg(pl.all().last()).sort("job").collect()
        )
    except (OSError, DeltaError):
        return pl.DataFrame(schema={"job": pl.String, "status": pl.String})


def run_counts(store: Store) -> pl.DataFrame:
    """How many runs each job had, by status (`job, status, len`)."""
    return store.scan("runs").group_by("job", "status").len().sort("job", "status").collect()


def recent_runs(store: Store, limit: int) -> pl.DataFrame:
    """The latest `limit` runs of any job, newest first."""
    return store.read("runs").sort("started_at", descending=True).head(limit)
