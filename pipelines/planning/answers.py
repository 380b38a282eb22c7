"""Planning pipelines: read the store, call the pure planning models, return their response models.

The CLI (`headroom risk`, `headroom siting`, `headroom forecast --outlook`) and the HTTP routers
(`/v1/regions/{region}/outlook`, `/v1/queue-risk`, `/v1/siting`) call these and only translate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.errors import InvalidInputError
from forecast.planning.backtest import BacktestParams, brier_summary
from forecast.planning.backtest import queue_backtest as backtest_queue_model
from forecast.planning.cox import QueueCox
from forecast.planning.outlook import MAX_MONTHS, Outlook, OutlookParams, OutlookResult, monthly_outlook
from forecast.planning.queue_risk import QueueRisk, RiskParams, queue_risk
from forecast.planning.siting import Siting, rank_regions
from forecast.planning.survival import (
    DAYS_PER_YEAR,
    NoQueueDataError,
    completed_median_days,
    cumulative_incidence,
    km_summary,
    survival_frame,
)
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.store import Store, load_series


def queue_data_as_of(requests: pl.DataFrame) -> date:
    """The as-of date of queue data: the latest date any request carries."""
    latest = requests.select(
        pl.max_horizontal(
            pl.col("requested_on").max(), pl.col("in_service_on").max(), pl.col("withdrawn_on").max()
        )
    ).item()
    if latest is None:
        raise NoQueueDataError(None, date.today())
    return latest


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _check_region(settings: Settings, region: str) -> None:
    catalog = load_catalog(settings)
    if region not in catalog:
        raise UnknownRegionError(region, catalog)


def _outlook_params(settings: Settings) -> OutlookParams:
    return OutlookParams(n_samples=settings.n_samples, seed=settings.seed)


def _outlook(
    store: Store, settings: Settings, region: str, months: int, scenario: str, as_of: date | None
) -> OutlookResult:
    series = {name: load_series(store, name, [region]) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    if series[S.GRID_LOAD].height == 0:
        raise InvalidInputError(
            f"region {region!r} has no grid_load in the store; run `headroom demo` or ingest data"
        )
    if as_of is None:
        as_of = series[S.GRID_LOAD][S.TS].max().date()
    return monthly_outlook(
        series[S.GRID_LOAD],
        series[S.AI_DEMAND],
        series[S.CAPACITY],
        region,
        as_of,
        months,
        scenario,
        _outlook_params(settings),
    )


def run_outlook(
    store: Store,
    settings: Settings,
    region: str,
    months: int = 60,
    scenario: str = "base",
    as_of: date | datetime | None = None,
) -> Outlook:
    """Monthly outlook of a region (as of its latest grid_load hour unless given)."""
    _check_region(settings, region)
    return _outlook(store, settings, region, months, scenario, _as_date(as_of)).outlook


def _queue_model(store: Store, as_of: date | None) -> QueueCox:
    requests = store.read("queue_requests")
    if requests.height == 0:
        raise NoQueueDataError(None, as_of or date.today())
    as_of = as_of or queue_data_as_of(requests)
    return QueueCox().fit(survival_frame(requests, as_of), as_of)


def _risk(
    store: Store, settings: Settings, cox: QueueCox, region: str, mw: float, target: date, scenario: str
) -> QueueRisk:
    # Always the full outlook: its sample paths then do not depend on the target date, which keeps
    # p_energized_by_target monotone in the date (a shorter simulation would draw other paths).
    outlook = _outlook(store, settings, region, MAX_MONTHS, scenario, cox.as_of)
    return queue_risk(cox, region, mw, target, outlook, RiskParams(), scenario)


def run_queue_risk(
    store: Store,
    settings: Settings,
    region: str,
    mw: float,
    target_date: date,
    as_of: date | datetime | None = None,
    scenario: str = "base",
) -> QueueRisk:
    """Queue risk of a new request of `mw` MW in `region` for service by `target_date`."""
    _check_region(settings, region)
    return _risk(store, settings, _queue_model(store, _as_date(as_of)), region, mw, target_date, scenario)


def run_siting(
    store: Store,
    settings: Settings,
    mw: float,
    target_date: date,
    rack_kw: float | None = None,
    regions: Sequence[str] | None = None,
    as_of: date | datetime | None = None,
    scenario: str = "base",
) -> Siting:
    """Catalog regions (or `regions`) ranked by p_energized_by_target; regions lacking data are
    listed in `skipped` with the reason."""
    catalog = load_catalog(settings)
    wanted = list(regions) if regions else [r for r, region in catalog.items() if not region.synthetic]
    for region in wanted:
        if region not in catalog:
            raise UnknownRegionError(region, catalog)
    cox = _queue_model(store, _as_date(as_of))
    risks, skipped = {}, []
    for region in wanted:
        try:
            risks[region] = _risk(store, settings, cox, region, mw, target_date, scenario)
        except ValueError as exc:  # no queue, load or capacity data for this region
            skipped.append(f"{region}: {exc}")
    siting = rank_regions(risks, catalog, mw, target_date, rack_kw)
    return siting.model_copy(update={"skipped": skipped})


@dataclass(frozen=True)
class QueueBacktestReport:
    """Held-out scores of the queue model and the demo calibration check."""

    as_of: date
    scores: pl.DataFrame  # region, horizon_years, n, observed_rate, brier_model, brier_km, concordance
    summary: pl.DataFrame  # horizon_years, n, brier_model, brier_km (pooled)
    concordance: float
    km_vs_catalog: pl.DataFrame  # region, km_p50_years, catalog_min, catalog_max, inside


def queue_backtest(
    store: Store,
    settings: Settings,
    as_of: date | datetime | None = None,
    params: BacktestParams | None = None,
) -> QueueBacktestReport:
    """Brier score of p_energized_by_target on held-out requests vs a per-region KM baseline,
    Cox concordance, and each region's KM median wait against the catalog range."""
    requests = store.read("queue_requests")
    if requests.height == 0:
        raise NoQueueDataError(None, _as_date(as_of) or date.today())
    as_of = _as_date(as_of) or queue_data_as_of(requests)
    survival = survival_frame(requests, as_of)
    scores = backtest_queue_model(survival, as_of, params)
    catalog = load_catalog(settings)
    medians = (
        km_summary(survival)
        .filter(pl.col(S.REGION).is_in(list(catalog)))
        .select(
            S.REGION,
            (pl.col("km_p50_days") / DAYS_PER_YEAR).round(2).alias("km_p50_years"),
        )
        .with_columns(
            pl.col(S.REGION)
            .replace_strict({r: c.queue_years[0] for r, c in catalog.items()}, default=None)
            .alias("catalog_min"),
            pl.col(S.REGION)
            .replace_strict({r: c.queue_years[1] for r, c in catalog.items()}, default=None)
            .alias("catalog_max"),
        )
        .with_columns(pl.col("km_p50_years").is_between("catalog_min", "catalog_max").alias("inside"))
    )
    return QueueBacktestReport(
        as_of, scores, brier_summary(scores), float(scores["concordance_all"][0]), medians
    )


def queue_contrast(
    requests: pl.DataFrame, region: str, as_of: date | None = None, years: Sequence[float] = (2.0, 3.0, 5.0)
) -> dict:
    """What is usually quoted (median wait of completed requests) next to the survival view."""
    as_of = as_of or queue_data_as_of(requests)
    frame = survival_frame(requests.filter(pl.col(S.REGION) == region), as_of)
    if frame.height == 0:
        raise NoQueueDataError(region, as_of)
    summary = km_summary(frame).row(0, named=True)
    cif = cumulative_incidence(frame, [y * DAYS_PER_YEAR for y in years])
    completed = completed_median_days(frame)
    km_median = summary["km_p50_days"]
    return {
        "region": region,
        "as_of": as_of.isoformat(),
        "requests": frame.height,
        "in_service": summary["in_service"],
        "withdrawn": summary["withdrawn"],
        "waiting": summary["waiting"],
        "completed_median_years": None if completed is None else round(completed / DAYS_PER_YEAR, 2),
        "km_median_years": None if km_median is None else round(km_median / DAYS_PER_YEAR, 2),
        "p_in_service_within": {
            f"{y:g}y": round(float(v), 3) for y, v in zip(years, cif["in_service"], strict=True)
        },
        "p_withdrawn_within": {
            f"{y:g}y": round(float(v), 3) for y, v in zip(years, cif["withdrawn"], strict=True)
        },
    }
