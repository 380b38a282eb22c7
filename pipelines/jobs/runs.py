"""The runs table: one row per pipeline run, with its status, error and figures."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import polars as pl

from pipelines.store import Store


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
