"""Flexibility pipelines: history by the study's method, the forward band, and what a region can answer.

`run_flexibility` backs `headroom flexibility` (a long file or the store), `run_region_flexibility`
backs `GET /v1/regions/{region}/flexibility`; both load, call forecast.flexibility, and return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.errors import UserError
from forecast.flexibility import (
    CAPACITY_SERIES,
    DEFAULT_LIMITS_PCT,
    SEASONAL_PEAK,
    CleanLoad,
    RegionFlexibility,
    analyse,
    clean_load,
    curtailment_calendar,
    forward_flexibility,
)
from forecast.flexibility.samples import FORWARD_YEARS, outlook_samples
from forecast.planning.outlook import InsufficientHistoryError, OutlookParams
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.flexibility.inputs import Timezones, load_from_file, load_from_store, present_regions
from pipelines.store import Store, load_series


class NoLoadDataError(UserError, ValueError):
    """No grid_load rows to analyse (none at all, or none for the regions asked)."""

    def __init__(self, where: str, regions: Sequence[str] | None) -> None:
        self.where, self.regions = where, list(regions or [])
        wanted = f" for regions {self.regions}" if self.regions else ""
        super().__init__(
            f"{where} holds no grid_load{wanted}; run `headroom demo`, ingest data or pass --data"
        )


def run_flexibility(
    store: Store | None,
    settings: Settings,
    regions: Sequence[str] | None = None,
    data: Path | None = None,
    timezones: Timezones | None = None,
    years: tuple[int, int] | None = None,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
) -> list[RegionFlexibility]:
    """Each region's curtailment-enabled headroom from a long file (`data`) or the store's grid_load."""
    frame = load_from_file(data, regions) if data is not None else load_from_store(store, regions or None)
    if frame.height == 0:
        raise NoLoadDataError(f"--data {data}" if data else "the store", regions)
    catalog = load_catalog(settings)
    zones = timezones or Timezones()
    return [
        analyse(clean_load(frame, region, zones.of(region, catalog), years), limits_pct)
        for region in (list(regions) if regions else present_regions(frame))
    ]


@dataclass(frozen=True)
class RegionAnswer:
    """Everything `GET /v1/regions/{region}/flexibility` returns, before it becomes JSON."""

    region: str
    basis: str
    historical: RegionFlexibility
    calendar_limit_pct: float
    calendar: pl.DataFrame  # month, hour, curtailed_hours, share
    as_of: date
    forward: pl.DataFrame  # scenario, year, limit_pct, basis, p10, p50, p90


def basis_of(capacity: pl.DataFrame, region: str) -> str:
    """`capacity_series` where the region has one, else `seasonal_peak`."""
    return CAPACITY_SERIES if capacity.filter(pl.col(S.REGION) == region).height else SEASONAL_PEAK


def run_region_flexibility(
    store: Store,
    settings: Settings,
    region: str,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
    calendar_limit_pct: float | None = None,
    years: int = FORWARD_YEARS,
) -> RegionAnswer:
    """History (catalog time zone), when curtailment falls, and the next `years` years per scenario."""
    catalog = load_catalog(settings)
    if region not in catalog:
        raise UnknownRegionError(region, catalog)
    series = {name: load_series(store, name, [region]) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    clean: CleanLoad = clean_load(series[S.GRID_LOAD], region, catalog[region].timezone)
    historical = analyse(clean, limits_pct)
    at = calendar_limit_pct if calendar_limit_pct is not None else limits_pct[len(limits_pct) // 2]
    as_of, forward = _forward(series, clean, settings, limits_pct, years)
    return RegionAnswer(
        region=region,
        basis=basis_of(series[S.CAPACITY], region),
        historical=historical,
        calendar_limit_pct=float(at),
        calendar=curtailment_calendar(clean, at),
        as_of=as_of,
        forward=forward,
    )


def _forward(
    series: dict[str, pl.DataFrame], clean: CleanLoad, settings: Settings, limits_pct: Sequence[float],
    years: int,
) -> tuple[date, pl.DataFrame]:
    """The as-of day and the forward band (scenario, year, limit_pct, basis, p10, p50, p90) of one region."""
    region = clean.region
    as_of = series[S.GRID_LOAD].filter(pl.col(S.REGION) == region)[S.TS].max().date()
    samples = outlook_samples(
        series[S.GRID_LOAD], series[S.AI_DEMAND], series[S.CAPACITY], region, as_of, years,
        OutlookParams(n_samples=min(settings.n_samples, 200), seed=settings.seed),
    )
    return as_of, forward_flexibility(clean, samples, limits_pct)


@dataclass(frozen=True)
class ForwardBands:
    """`headroom flexibility`'s forward band: one row per region, scenario, year and limit, and
    why a region has none (too little history for the monthly outlook)."""

    frame: pl.DataFrame  # region, as_of, basis, scenario, year, limit_pct, p10, p50, p90
    missing: dict[str, str]


def run_forward_bands(
    store: Store | None,
    settings: Settings,
    regions: Sequence[str] | None = None,
    data: Path | None = None,
    timezones: Timezones | None = None,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
    years: int = FORWARD_YEARS,
) -> ForwardBands:
    """P10/P50/P90 curtailment-enabled headroom of the next `years` calendar years per scenario,
    as `GET /v1/regions/{region}/flexibility` gives it. From the store: its grid_load, ai_demand
    and capacity; from a long file (`data`): its load alone (no AI demand on record, basis
    seasonal_peak)."""
    if data is not None:
        load = load_from_file(data, regions)
        empty = load.clear()
        series = {S.GRID_LOAD: load, S.AI_DEMAND: empty, S.CAPACITY: empty}
    else:
        names = (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)
        series = {name: load_series(store, name, regions or None) for name in names}
    catalog, zones = load_catalog(settings), timezones or Timezones()
    parts, missing = [], {}
    for region in list(regions) if regions else present_regions(series[S.GRID_LOAD]):
        clean = clean_load(series[S.GRID_LOAD], region, zones.of(region, catalog))
        try:
            as_of, band = _forward(series, clean, settings, limits_pct, years)
        except InsufficientHistoryError as exc:
            missing[region] = str(exc)
            continue
        parts.append(band.select(
            pl.lit(region).alias(S.REGION), pl.lit(as_of).alias("as_of"), "basis",
            pl.exclude("basis"),
        ))
    frame = pl.concat(parts) if parts else pl.DataFrame()
    return ForwardBands(frame, missing)
