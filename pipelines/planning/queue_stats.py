"""What the queue records say on their own: the queue model's held-out scores, and the survival view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from forecast import schema as S
from forecast.planning.backtest import BacktestParams, brier_summary
from forecast.planning.backtest import queue_backtest as backtest_queue_model
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
from pipelines.planning.answers import queue_data_as_of
from pipelines.store import Store


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


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


def queue_contrasts(store: Store, settings: Settings, as_of: date | None = None) -> pl.DataFrame:
    """`queue_contrast` for every catalog region with queue records, one row each."""
    requests = store.read("queue_requests")
    rows = []
    for region in load_catalog(settings):
        if requests.filter(pl.col(S.REGION) == region).height == 0:
            continue
        c = queue_contrast(requests, region, as_of)
        rows.append({
            "region": region, "requests": c["requests"],
            "completed_median_years": c["completed_median_years"],
            "km_median_years": c["km_median_years"],
            "p_in_service_5y": c["p_in_service_within"]["5y"],
            "p_withdrawn_5y": c["p_withdrawn_within"]["5y"],
        })
    return pl.DataFrame(rows)
