"""The schedule on one screen: every job is a few lines that call one pipeline function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from forecast import schema as S
from pipelines.config import Settings
from pipelines.runs import last_trained_version
from pipelines.store import Store
from pipelines.train import run_train

JobFunc = Callable[[Store, Settings, datetime], dict]


@dataclass(frozen=True)
class Job:
    """A named job: what it calls and which setting holds its schedule."""

    name: str
    func: JobFunc
    schedule_setting: str
    description: str

    def schedule(self, settings: Settings) -> str:
        return getattr(settings, self.schedule_setting)


def refresh(store: Store, settings: Settings, now: datetime) -> dict:
    """Re-forecast from the latest data when observations changed since the last published issue."""
    data_version = store.version("observations")
    if data_version is None:
        return {"skipped": "no observations yet"}
    if last_trained_version(store) == data_version:
        return {"skipped": f"forecasts already made from data version {data_version}"}
    report = run_train(store, settings, now)
    return {"rows": report.rows, "regions": report.regions, "model_version": report.model_version}


def compact(store: Store, settings: Settings, now: datetime) -> dict:
    """Merge small files of every table and vacuum files no version needs any more."""
    return {table: store.compact(table) for table in S.TABLES}


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("refresh", refresh, "schedule_refresh", "Re-forecast from the latest data."),
        Job("compact", compact, "schedule_compact", "Compact and vacuum the tables."),
    )
}
