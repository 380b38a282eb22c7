"""The registry as operators read it: what versions exist and which one is the champion."""

from __future__ import annotations

import polars as pl

from pipelines.config.settings import Settings
from pipelines.registry.versions import Registry

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
