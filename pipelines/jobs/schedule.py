"""The schedule on one screen: every job is a few lines that call one pipeline function."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipelines.config.settings import Settings
from pipelines.executor import Executor, open_executor
from pipelines.ingest.inbox import drain_inbox
from pipelines.jobs.maintenance import compact_tables
from pipelines.live import LivePullError, pull_live_sources
from pipelines.placement.paths import prune_paths
from pipelines.registry.drift import drift_figures, measure_drift
from pipelines.store import Store
from pipelines.training.train import run_refresh, run_retrain


class TransientJobError(RuntimeError):
    """A failure worth retrying (a source that timed out, a busy object store)."""


JobFunc = Callable[..., dict]  # (store, settings, now, **params) -> figures


@dataclass(frozen=True)
class Job:
    """A named job: what it calls and which setting holds its schedule."""

    name: str
    func: JobFunc
    schedule_setting: str
    description: str

    def schedule(self, settings: Settings) -> str:
        return getattr(settings, self.schedule_setting)


@contextmanager
def configured_executor(settings: Settings) -> Iterator[Executor | None]:
    """The executor scheduled jobs fan out on (`HEADROOM_EXECUTOR`); None runs them inline."""
    with open_executor(settings.executor, settings.dask_address or None) as pool:
        yield pool


def refresh(store: Store, settings: Settings, now: datetime) -> dict:
    """Re-forecast with the champions when observations changed since the last published issue."""
    data_version = store.version("observations")
    if data_version is None:
        return {"skipped": "no observations yet"}
    with configured_executor(settings) as pool:
        report = run_refresh(store, settings, now, executor=pool)
    if report is None:
        return {"skipped": f"forecasts already made from data version {data_version}"}
    return {**report.figures(), "executor": settings.executor}


def retrain(
    store: Store,
    settings: Settings,
    now: datetime,
    regions: Sequence[str] | None = None,
    triggered_by: str | None = None,
) -> dict:
    """Fit challengers, backtest them against the champions, promote only the better ones."""
    with configured_executor(settings) as pool:
        report = run_retrain(store, settings, now, regions=regions, executor=pool)
    asked = {"triggered_by": triggered_by, "regions": list(regions)} if triggered_by else {}
    return {**report.figures(), "executor": settings.executor, **asked}


def drift(store: Store, settings: Settings, now: datetime) -> dict:
    """Compare live and backtest error per champion; the runner retrains the regions that drifted."""
    from pipelines.jobs.runner import run_job  # the runner imports this schedule

    table = measure_drift(store, settings)
    figures = drift_figures(table, settings.drift_ratio)
    if not figures["drifted"]:
        return figures
    result = run_job("retrain", settings, store, regions=figures["drifted"], triggered_by="drift")
    if result.status == "skipped":
        return {**figures, "retrain": "skipped: a retrain is already running"}
    return {**figures, "retrain": result.figures.get("promoted", [])}


def ingest(store: Store, settings: Settings, now: datetime) -> dict:
    """Drain the inbox folder, then pull the live sources that have a key configured."""
    reports = drain_inbox(store, settings)
    try:
        reports += pull_live_sources(
            store,
            settings,
            now,
            eia_key=settings.eia_api_key.get_secret_value() or None,
            entsoe_token=settings.entsoe_token.get_secret_value() or None,
            eia_base_url=settings.eia_base_url,
            entsoe_base_url=settings.entsoe_base_url,
            lookback=timedelta(hours=settings.live_lookback_hours),
        )
    except LivePullError as exc:  # a source timed out or refused: retried by the runner
        raise TransientJobError(f"live pull failed: {exc}") from exc
    skipped = [r.note for r in reports if r.note.startswith("skipped")]
    reports = [r for r in reports if not r.note.startswith("skipped")]
    return {
        "batches": len(reports),
        "skipped": skipped,
        "rows_read": sum(r.rows_read for r in reports),
        "accepted": sum(r.accepted for r in reports),
        "updated": sum(r.updated for r in reports),
        "quarantined": sum(r.quarantined for r in reports),
    }


def compact(store: Store, settings: Settings, now: datetime) -> dict:
    """Drop headroom paths of all but the latest issues, then merge small files and vacuum."""
    pruned = prune_paths(store, settings.paths_keep_issues)
    return {**compact_tables(store), "headroom_paths_pruned_rows": pruned}


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("ingest", ingest, "schedule_ingest", "Drain the inbox folder and pull live sources."),
        Job("refresh", refresh, "schedule_refresh", "Re-forecast from the latest data with the champions."),
        Job("retrain", retrain, "schedule_retrain", "Fit challengers; promote those that beat the champion."),
        Job("drift", drift, "schedule_drift", "Retrain regions whose live error outgrew their backtest."),
        Job("compact", compact, "schedule_compact", "Compact and vacuum the tables."),
    )
}
