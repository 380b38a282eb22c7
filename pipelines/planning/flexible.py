"""Flexible headroom beside firm in queue risk and siting: load the region's series, call the pure model."""

from __future__ import annotations

from datetime import date

from forecast import schema as S
from forecast.flexibility.cleaning import clean_load
from forecast.flexibility.samples import outlook_samples
from forecast.planning.flexible import FlexibleRequest, flexible_headroom
from forecast.planning.outlook import OutlookParams
from forecast.planning.queue_risk import QueueRisk
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.store import Store, load_series

MAX_SAMPLES = 200  # hourly paths of a whole year per sample: 200 keep an answer under a second


def with_flexible(
    store: Store,
    settings: Settings,
    region: str,
    risk: QueueRisk,
    as_of: date,
    scenario: str,
    target: date,
    mw: float,
    request: FlexibleRequest,
) -> QueueRisk:
    """`risk` with the flexible side of `headroom_at_target` filled for the target's year."""
    series = {name: load_series(store, name, [region]) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    clean = clean_load(series[S.GRID_LOAD], region, load_catalog(settings)[region].timezone)
    years = max(target.year - as_of.year, 1)
    samples = outlook_samples(
        series[S.GRID_LOAD], series[S.AI_DEMAND], series[S.CAPACITY], region, as_of, years,
        OutlookParams(n_samples=min(settings.n_samples, MAX_SAMPLES), seed=settings.seed),
    )
    flexible = flexible_headroom(clean, samples, scenario, target, mw, risk.p_connected_by_target, request)
    at_target = risk.headroom_at_target.model_copy(update={"flexible": flexible})
    return risk.model_copy(update={"headroom_at_target": at_target})
