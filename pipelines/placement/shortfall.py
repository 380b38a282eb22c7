"""`run_shortfall`: P(minimum headroom < X MW) over a window, from the latest issue's hourly paths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.headroom import ShortfallWindowError, window_minima
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.placement.paths import TABLE, PathsNotPublishedError, latest_issue_keys
from pipelines.store import Store


@dataclass(frozen=True)
class Shortfall:
    """The chance that headroom dips below `below_mw` at least once in the window, and the minimum's band."""

    region: str
    below_mw: float
    start: datetime  # first hour counted
    end: datetime  # last hour counted
    hours: int
    samples: int
    probability: float
    min_headroom_mw: dict[str, float]  # p10/p50/p90 of the window's minimum over the paths
    issued_at: datetime
    model_version: str


def _utc(moment: datetime | None, field: str) -> datetime | None:
    """An instant as UTC (a bare one is read as UTC); one beyond year 1-9999 in UTC names its field."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ShortfallWindowError(field, f"{moment.isoformat()} is out of range in UTC") from None


def read_region_paths(store: Store, region: str) -> tuple[pl.DataFrame, datetime, str]:
    """One region's paths of its latest published issue, with that issue's time and model version."""
    keys = latest_issue_keys(store).filter(pl.col(S.REGION) == region)
    if keys.is_empty():
        raise PathsNotPublishedError()
    issued_at, model_version = keys[S.ISSUED_AT][0], keys[S.MODEL_VERSION][0]
    paths = (
        store.scan(TABLE)
        .filter((pl.col(S.ISSUED_AT) == issued_at) & (pl.col(S.REGION) == region))
        .select(S.REGION, S.SAMPLE, S.TS, S.VALUE)
        .collect()
    )
    if paths.is_empty():
        raise PathsNotPublishedError()
    return paths, issued_at, model_version


def run_shortfall(
    store: Store,
    settings: Settings,
    region: str,
    below_mw: float,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Shortfall:
    """P(min headroom over `start <= ts < end` < below_mw) for a catalog region (whole horizon by default)."""
    catalog = load_catalog(settings)
    if region not in catalog:
        raise UnknownRegionError(region, catalog)
    paths, issued_at, model_version = read_region_paths(store, region)
    start, end = _utc(start, "start"), _utc(end, "end")
    minima = window_minima(paths, start, end).to_numpy()
    hours = paths[S.TS].unique()
    if start is not None:
        hours = hours.filter(hours >= start)
    if end is not None:
        hours = hours.filter(hours < end)
    q = np.quantile(minima, [0.1, 0.5, 0.9])
    return Shortfall(
        region=region, below_mw=below_mw, start=hours.min(), end=hours.max(), hours=hours.len(),
        samples=len(minima), probability=round(float((minima < below_mw).mean()), 4),
        min_headroom_mw={k: round(float(v), 1) for k, v in zip(("p10", "p50", "p90"), q, strict=True)},
        issued_at=issued_at, model_version=model_version,
    )
