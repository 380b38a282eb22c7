"""One outlook simulation per data and plan version, region, scenario and as-of date, shared by all answers.

The outlook, queue risk and siting all read the same `MAX_MONTHS` simulation, so a month answers
the same whatever number of months was asked, and an answer's `issued_at` is when that simulation
was made (stable while the data does not change, so ETags stay valid).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from threading import Lock

from forecast import schema as S
from forecast.errors import UserError
from forecast.flexibility.basis import CAPACITY_SERIES, SEASONAL_PEAK, seasonal_peak_monthly
from forecast.planning.capacity_plan import PlannedChange, additions_frame
from forecast.planning.outlook import MAX_MONTHS, OutlookParams, OutlookResult, monthly_outlook
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.planning.capacity_plan import list_planned_changes, plan_version
from pipelines.store import Store, load_series

CACHE_SIZE = 64


class NoGridLoadError(UserError, ValueError):
    """A region with no grid_load in the store: nothing to simulate."""

    def __init__(self, region: str) -> None:
        self.region = region
        super().__init__(
            f"region {region!r} has no grid_load in the store; run `headroom demo` or ingest data"
        )


@dataclass(frozen=True)
class Simulation:
    """A region's outlook over MAX_MONTHS and what it was made from."""

    result: OutlookResult
    issued_at: datetime
    data_version: int | None
    as_of: date
    planned: tuple[PlannedChange, ...] = ()
    basis: str = CAPACITY_SERIES  # or seasonal_peak: the region has no capacity series


_CACHE: OrderedDict[tuple, Simulation] = OrderedDict()
_LOCK = Lock()


def clear_cache() -> None:
    """Forget every simulation (tests; a store replaced under the same path)."""
    with _LOCK:
        _CACHE.clear()


def latest_load_date(store: Store, region: str) -> date | None:
    """The date of a region's latest grid_load hour, None when it has none."""
    latest = load_series(store, S.GRID_LOAD, [region])[S.TS].max()
    return None if latest is None else latest.date()


def simulate(
    store: Store, settings: Settings, region: str, scenario: str, as_of: date | None = None
) -> Simulation:
    """The cached simulation, made now if the data version, scenario or as-of date is new."""
    version = store.version("observations")
    plan = plan_version(store)
    key = (store.root, version, plan, region, scenario, as_of, settings.n_samples, settings.seed)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    series = {name: load_series(store, name, [region]) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    if series[S.GRID_LOAD].height == 0:
        raise NoGridLoadError(region)
    start = as_of or series[S.GRID_LOAD][S.TS].max().date()
    planned = tuple(list_planned_changes(store, region, plan))  # the plan as of the key's version
    capacity, basis = series[S.CAPACITY], CAPACITY_SERIES
    if capacity.height == 0:  # no capacity series: the region's own seasonal peaks stand in
        timezone = load_catalog(settings)[region].timezone
        capacity = seasonal_peak_monthly(series[S.GRID_LOAD], region, timezone, start, MAX_MONTHS)
        basis = SEASONAL_PEAK
    result = monthly_outlook(
        series[S.GRID_LOAD],
        series[S.AI_DEMAND],
        capacity,
        region,
        start,
        MAX_MONTHS,
        scenario,
        OutlookParams(n_samples=settings.n_samples, seed=settings.seed),
        additions=additions_frame(list(planned)),
    )
    made = Simulation(result, datetime.now(UTC).replace(microsecond=0), version, start, planned, basis)
    with _LOCK:
        _CACHE[key] = made
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return made
