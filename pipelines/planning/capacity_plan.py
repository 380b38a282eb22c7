"""The `capacity_plan` table: record and read planned capacity additions and retirements per region."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.planning.capacity_plan import (
    InvalidPlannedChangeError,
    PlannedChange,
    check_planned_change,
)
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.store import Store

TABLE = "capacity_plan"
MAX_NOTE = 500


def _check_region(settings: Settings, region: str) -> None:
    catalog = load_catalog(settings)
    if region not in catalog:
        raise UnknownRegionError(region, catalog)


def add_planned_change(
    store: Store, settings: Settings, region: str, mw: float, from_date: date, note: str | None = None
) -> PlannedChange:
    """Record one planned change (one commit); the next outlook of the region includes it."""
    _check_region(settings, region)
    check_planned_change(mw, from_date)
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidPlannedChangeError("note", f"at most {MAX_NOTE} characters, got {len(note)}")
    change = PlannedChange(
        id=uuid.uuid4().hex[:12], region=region, mw=float(mw), from_date=from_date, note=note or None,
        added_at=datetime.now(UTC).replace(microsecond=0),
    )
    store.append(TABLE, pl.DataFrame([change.model_dump()]))
    return change


def list_planned_changes(
    store: Store, region: str | None = None, version: int | None = None
) -> list[PlannedChange]:
    """Planned changes (of `region` when given, at the table's `version` when given), by region,
    date and recording time."""
    rows = store.scan(TABLE) if version is None else store.scan(TABLE, version)
    if region is not None:
        rows = rows.filter(pl.col(S.REGION) == region)
    frame = rows.sort(S.REGION, "from_date", "added_at").collect()
    return [PlannedChange.model_validate(row) for row in frame.iter_rows(named=True)]


def plan_version(store: Store) -> int | None:
    """The plan table's version: part of the simulation cache key, so a new entry is seen at once."""
    return store.version(TABLE)


def region_plan(store: Store, settings: Settings, region: str) -> list[PlannedChange]:
    """A catalog region's planned changes (UnknownRegionError for a region not in the catalog)."""
    _check_region(settings, region)
    return list_planned_changes(store, region)
