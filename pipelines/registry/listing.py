"""The registry as operators use it: what versions exist, what serves, and promotion by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from forecast.catalog import UnknownRegionError
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.jobs.runs import recorded
from pipelines.registry.promotion import DEMANDS
from pipelines.registry.versions import Registry, RegistryError
from pipelines.store import Store
from pipelines.training.train import TrainReport, run_refresh

VERSION_COLUMNS = {
    "region": pl.String, "target": pl.String, "version": pl.String, "model": pl.String,
    "champion": pl.Boolean, "data_version": pl.Int64, "mase": pl.Float64, "coverage_80": pl.Float64,
    "created_at": pl.Datetime("us", "UTC"), "promoted_at": pl.String, "reason": pl.String,
}


def list_versions(settings: Settings, region: str | None = None, target: str | None = None) -> pl.DataFrame:
    """Every registered version, newest first, with its backtest figures and champion mark."""
    registry = Registry(settings)
    rows, pointers = [], {}
    for record in registry.versions(region, target):
        key = (record.region, record.target)
        if key not in pointers:
            pointers[key] = registry.champion(*key) or {}
        pointer = pointers[key]
        champion = pointer.get("version") == record.version
        rows.append({
            "region": record.region, "target": record.target, "version": record.version,
            "model": record.model, "champion": champion, "data_version": record.data_version,
            "mase": record.backtest.get("mase"), "coverage_80": record.backtest.get("coverage_80"),
            "created_at": record.created_at,
            "promoted_at": pointer.get("promoted_at") if champion else None,
            "reason": pointer.get("reason") if champion else None,
        })
    frame = pl.DataFrame(rows, schema=VERSION_COLUMNS)
    return frame.sort(["region", "target", "created_at"], descending=[False, False, True])


def promote_version(
    store: Store, settings: Settings, region: str, version: str, now: datetime,
    targets: Sequence[str] = DEMANDS,
) -> TrainReport | None:
    """Make `version` the champion of a region (roll back or forward by hand), then re-publish."""
    catalog = load_catalog(settings)
    if region not in catalog:
        raise UnknownRegionError(region, catalog)
    registry = Registry(settings)
    for target in targets:
        known = [r.version for r in registry.versions(region, target)]
        if version not in known:
            raise RegistryError(
                f"no version {version!r} of {region}/{target}; versions: {', '.join(known[-5:]) or 'none'}"
            )
    for target in targets:
        registry.promote(region, target, version, "promoted by hand")
    reports: list[TrainReport | None] = []

    def refresh() -> dict:
        reports.append(run_refresh(store, settings, now, regions=[region], force=True))
        return {} if reports[0] is None else {**reports[0].figures(), "trigger": f"promote {version}"}

    recorded(store, "refresh", now, refresh)
    return reports[0]
