"""Promotion by hand: make a registered version the champion of a region, then publish with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from forecast.catalog import UnknownRegionError
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.registry.promotion import DEMANDS
from pipelines.registry.versions import Registry, RegistryError
from pipelines.runs import recorded
from pipelines.store import Store
from pipelines.training.train import TrainReport, run_refresh


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
    return recorded(
        store, "refresh", now,
        lambda: run_refresh(store, settings, now, regions=[region], force=True),
        lambda report: {} if report is None else {**report.figures(), "trigger": f"promote {version}"},
    )
