"""Serve the configured models soon after start: the baseline answers first, the selection replaces it.

`make run` publishes the seasonal-naive baseline (seconds) so the service answers at once; when the
serving process starts its scheduler and finds baseline champions while `train_models` is the
selection, it trains the selection once in the background, and it serves when ready.
"""

from __future__ import annotations

from datetime import UTC, datetime

from forecast.models import SeasonalNaive
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings, get_settings
from pipelines.jobs.locks import job_lock
from pipelines.jobs.schedule import configured_executor
from pipelines.registry.promotion import DEMANDS
from pipelines.registry.versions import Registry
from pipelines.store import open_store
from pipelines.training.publish import model_family
from pipelines.training.train import run_train

UPGRADE_JOB = "upgrade"


def upgrade_pending(settings: Settings) -> list[str]:
    """Regions served by the baseline `make run` publishes first while `train_models` is the
    selection (never the other way: a configured baseline does not replace a trained selection)."""
    if model_family(settings) == SeasonalNaive.name:
        return []
    registry = Registry(settings)
    baseline = f"{SeasonalNaive.name}-"
    pending = []
    for region in load_catalog(settings):
        records = [registry.champion_record(region, target) for target in DEMANDS]
        if any(r is not None and r.version.startswith(baseline) for r in records):
            pending.append(region)
    return pending


def upgrade_serving(settings: Settings | None = None) -> dict:
    """Train the configured models for the regions still served by another family, promote them
    and publish (run once by the serving process's scheduler; skipped while a retrain runs)."""
    settings = settings or get_settings()
    regions = upgrade_pending(settings)
    if not regions:
        return {"skipped": "the configured models already serve"}
    with job_lock(settings, "retrain") as acquired:
        if not acquired:
            return {"skipped": "a retrain is running"}
        with configured_executor(settings) as pool:
            report = run_train(open_store(settings), settings, datetime.now(UTC), regions, executor=pool)
    return report.figures()
