"""Summaries of what is served, for planners (the regions overview) and operators (models, readiness).

These read only what pipelines published or stored; they compute no forecast. Each returns plain
records (dicts) that the HTTP schemas validate, so the same read serves any door.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import polars as pl
from deltalake.exceptions import DeltaError

from forecast import schema as S
from forecast.catalog import Region
from pipelines.registry.versions import Registry, RegistryError
from pipelines.runs import last_runs
from pipelines.serving.published import PublishedForecasts
from pipelines.store import Store, load_series

WEEK = 168


def _reading(row: Mapping | None) -> dict | None:
    return None if row is None else {"ts": row[S.TS], "value": row[S.VALUE]}


def latest_loads(store: Store, regions: list[str]) -> dict[str, dict]:
    """The last observed grid load of each region that has one."""
    loads = load_series(store, S.GRID_LOAD, regions)
    last = loads.group_by(S.REGION).agg(pl.all().sort_by(S.TS).last())
    return {row[S.REGION]: _reading(row) for row in last.iter_rows(named=True)}


def region_overview(
    store: Store, published: PublishedForecasts, catalog: Mapping[str, Region]
) -> list[dict]:
    """Per region: latest load, median headroom of the first forecast hour, lowest P10 of the week."""
    loads = latest_loads(store, list(catalog))
    headroom = published.rows.filter(pl.col(S.TARGET) == S.HEADROOM)
    out = []
    for region_id, region in catalog.items():
        rows = headroom.filter(pl.col(S.REGION) == region_id).sort(S.TS)
        now = p10 = None
        version = issued = None
        if not rows.is_empty():
            first_ts = rows[S.TS][0]
            week = rows.filter(pl.col(S.TS) < first_ts + timedelta(hours=WEEK))
            median = week.filter((pl.col(S.TS) == first_ts) & (pl.col(S.QUANTILE) == 0.5))
            lows = week.filter(pl.col(S.QUANTILE) == 0.1).sort(S.VALUE)
            now = _reading(median.row(0, named=True) if median.height else None)
            p10 = _reading(lows.row(0, named=True) if lows.height else None)
            version, issued = rows[S.MODEL_VERSION][0], rows[S.ISSUED_AT][0]
        out.append({
            "region": region_id, "name": region.name, "latest_load": loads.get(region_id),
            "headroom_now": now, "min_p10_headroom_7d": p10, "model_version": version, "issued_at": issued,
            "basis": published.basis(region_id) if version else None,
        })
    return out


DEMAND_TARGETS = {
    S.GRID_LOAD: (S.GRID_LOAD,), S.AI_DEMAND: (S.AI_DEMAND,), S.HEADROOM: (S.GRID_LOAD, S.AI_DEMAND),
}


def _champions(registry: Registry, region: str, target: str) -> list[dict]:
    out = []
    for demand in DEMAND_TARGETS.get(target, ()):
        pointer = registry.champion(region, demand)
        if pointer is None:
            continue
        try:
            record = registry.metadata(region, demand, pointer["version"])
        except RegistryError:
            continue
        out.append({
            "target": demand, "version": record.version, "model": record.model,
            "promoted_at": pointer.get("promoted_at"), "reason": pointer.get("reason"),
            "data_version": record.data_version, "backtest": record.backtest, "created_at": record.created_at,
        })
    return out


def served_models(published: PublishedForecasts, registry: Registry) -> list[dict]:
    """The model version and issue serving each region and target, with the registry champions."""
    rows = published.rows
    if rows.is_empty():
        return []
    summary = rows.group_by(S.REGION, S.TARGET).agg(
        pl.col(S.MODEL_VERSION).first(), pl.col(S.ISSUED_AT).first(), pl.col(S.TS).min().alias("first"),
        pl.col(S.TS).n_unique().alias("hours"),
    ).sort(S.REGION, S.TARGET)
    return [
        {"region": r[S.REGION], "target": r[S.TARGET], "model_version": r[S.MODEL_VERSION],
         "issued_at": r[S.ISSUED_AT], "data_as_of": r["first"] - timedelta(hours=1),
         "horizon_hours": r["hours"], "champions": _champions(registry, r[S.REGION], r[S.TARGET])}
        for r in summary.iter_rows(named=True)
    ]


def readiness_problems(
    store: Store, published: PublishedForecasts, catalog: Mapping[str, Region]
) -> list[str]:
    """Why the service is not ready (empty when it is): an unreadable store or regions with no forecast."""
    try:
        for table in ("observations", "forecasts"):
            store.version(table)
        published.refresh()
    except (OSError, DeltaError) as exc:
        return [f"store at {store.root} is not readable: {exc}"]
    have = set(published.rows.select(S.REGION, S.TARGET).unique().iter_rows())
    problems = []
    for region in catalog:
        missing = [t for t in S.TARGETS if (region, t) not in have]
        if missing:
            problems.append(f"region {region!r} has no published forecast of {', '.join(missing)}")
    return problems



def job_warnings(store: Store) -> list[str]:
    """Jobs whose latest run failed (what serves is unaffected: champions keep serving)."""
    failed = last_runs(store).filter(pl.col("status") == "error")
    return [
        f"{row['job']} failed at {row['started_at']:%Y-%m-%dT%H:%M:%SZ}: "
        f"{(row['error'] or '').strip().splitlines()[-1] if row['error'] else 'no error text'}; "
        "the champions keep serving"
        for row in failed.iter_rows(named=True)
    ]
