"""`headroom train`: fit per region and target, publish quantiles of load, AI demand and headroom."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.headroom import forecast_targets
from forecast.models import SeasonalNaive
from forecast.models.naive import SeasonalNaiveParams
from pipelines.catalog import load_catalog
from pipelines.config import Settings
from pipelines.runs import record_run
from pipelines.store import Store, load_series

# Published for every hour; other quantiles are interpolated between neighbours when served.
PUBLISHED_QUANTILES = (
    0.01,
    0.025,
    0.05,
    0.1,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.75,
    0.8,
    0.9,
    0.95,
    0.975,
    0.99,
)
MIN_HISTORY_HOURS = 168  # one weekly season: the least the seasonal-naive baseline can use


class NothingToTrainError(ValueError):
    """No region has enough data to forecast."""


@dataclass(frozen=True)
class TrainReport:
    """What one training run published."""

    issued_at: datetime
    model_version: str
    data_version: int | None
    regions: list[str]
    rows: int
    skipped: dict[str, str] = field(default_factory=dict)


def _usable(frames: dict[str, pl.DataFrame], regions: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Regions with enough history in every component, and the reason for each one left out."""
    usable, skipped = [], {}
    for region in regions:
        for name, frame in frames.items():
            rows = frame.filter(pl.col(S.REGION) == region).height
            if rows < MIN_HISTORY_HOURS:
                skipped[region] = f"{name} has {rows} hourly rows, needs {MIN_HISTORY_HOURS}"
                break
        else:
            usable.append(region)
    return usable, skipped


def run_train(
    store: Store,
    settings: Settings,
    now: datetime,
    regions: Sequence[str] | None = None,
    horizon: int | None = None,
) -> TrainReport:
    """Fit seasonal-naive models per region and publish one forecast issue to the forecasts table."""
    catalog = load_catalog(settings)
    wanted = list(regions) if regions else list(catalog)
    for region in wanted:
        if region not in catalog:
            raise UnknownRegionError(region, catalog)
    data_version = store.version("observations")
    frames = {name: load_series(store, name, wanted) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    usable, skipped = _usable(frames, wanted)
    if not usable:
        raise NothingToTrainError(
            "no region has enough data to train: "
            + "; ".join(f"{r}: {w}" for r, w in skipped.items())
            + " (load data with `headroom demo` or `headroom ingest`)"
        )
    frames = {k: v.filter(pl.col(S.REGION).is_in(usable)) for k, v in frames.items()}
    params = SeasonalNaiveParams()
    version = f"{SeasonalNaive.name}-d{data_version}-{now:%Y%m%dT%H%M%SZ}"
    forecasts = forecast_targets(
        frames[S.GRID_LOAD],
        frames[S.AI_DEMAND],
        frames[S.CAPACITY],
        make_model=lambda target: SeasonalNaive(params),
        horizon=horizon or settings.default_horizon,
        quantiles=PUBLISHED_QUANTILES,
        n_samples=settings.n_samples,
        seed=settings.seed,
    ).with_columns(
        pl.col(S.VALUE).round(3),
        pl.lit(now).cast(S.UTC_TS).alias(S.ISSUED_AT),
        pl.lit(version).alias(S.MODEL_VERSION),
    )
    store.append("forecasts", forecasts)
    report = TrainReport(now, version, data_version, usable, forecasts.height, skipped)
    record_run(
        store,
        "train",
        now,
        "ok",
        figures={
            "regions": usable,
            "rows": forecasts.height,
            "skipped": skipped,
            "model_version": version,
            "data_version": data_version,
        },
    )
    return report
