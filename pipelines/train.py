"""`headroom train`: fit per region and target, publish quantiles of load, AI demand and headroom."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.headroom import forecast_targets
from forecast.models import ForecastModel, SeasonalNaive
from forecast.models.naive import SeasonalNaiveParams
from forecast.selection import DefaultModel, SelectionParams
from pipelines.catalog import load_catalog
from pipelines.config import Settings
from pipelines.executor import Executor, groups
from pipelines.runs import record_run
from pipelines.store import Store, load_series, open_store

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


@dataclass(frozen=True)
class GroupResult:
    """What training one group of regions wrote (small: it crosses process boundaries)."""

    regions: list[str]
    rows: int
    skipped: dict[str, str]


@dataclass(frozen=True)
class TrainTask:
    """One group of regions to train in a worker; the settings travel, the data does not."""

    settings_json: str
    regions: list[str]
    now: datetime
    horizon: int
    version: str


def train_regions(
    store: Store, settings: Settings, now: datetime, regions: Sequence[str], horizon: int, version: str
) -> GroupResult:
    """Fit and publish the regions of one group in one atomic append (skipped if already written)."""
    frames = {name: load_series(store, name, regions) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    usable, skipped = _usable(frames, regions)
    if not usable:
        return GroupResult([], 0, skipped)
    written = (
        store.scan("forecasts")
        .filter((pl.col(S.ISSUED_AT) == now) & pl.col(S.REGION).is_in(usable))
        .select(pl.len())
        .collect()
        .item()
    )
    if written:  # a retried task whose first attempt had committed: nothing to add
        return GroupResult(usable, written, skipped)
    frames = {k: v.filter(pl.col(S.REGION).is_in(usable)) for k, v in frames.items()}
    make_model = _model_factory(settings, load_catalog(settings))
    forecasts, models = forecast_targets(
        frames[S.GRID_LOAD],
        frames[S.AI_DEMAND],
        frames[S.CAPACITY],
        make_model=make_model,
        horizon=horizon,
        quantiles=PUBLISHED_QUANTILES,
        n_samples=settings.n_samples,
        seed=settings.seed,
    )
    forecasts = forecasts.with_columns(
        pl.col(S.VALUE).round(3),
        pl.lit(now).cast(S.UTC_TS).alias(S.ISSUED_AT),
        _version_expr(models, version),
    )
    store.append("forecasts", forecasts)
    return GroupResult(usable, forecasts.height, skipped)


def _model_factory(settings: Settings, catalog: dict) -> Callable[[str, int], ForecastModel]:
    """Models per target: the seasonal-naive baseline, or each region's selected default model."""
    if settings.train_models == "baseline":
        return lambda target, longest: SeasonalNaive(SeasonalNaiveParams())
    calendars = {r: region.holidays for r, region in catalog.items()}
    timezones = {r: region.timezone for r, region in catalog.items()}
    params = SelectionParams(candidates=tuple(settings.train_candidates.split(",")))
    return lambda target, longest: DefaultModel(
        calendars, timezones, horizon=longest, season=24, seed=settings.seed, params=params
    )


def _version_expr(models: dict[str, ForecastModel], version: str) -> pl.Expr:
    """Model version per row: with a selected model per region it names the model chosen
    (`seasonal_naive_baseline` says a region had too little history for the others)."""
    choice = {t: getattr(m, "choice", None) for t, m in models.items()}
    if not all(choice.values()):
        return pl.lit(version).alias(S.MODEL_VERSION)
    label = {
        region: f"{choice[S.GRID_LOAD].get(region, '?')}+{choice[S.AI_DEMAND].get(region, '?')}"
        for region in choice[S.GRID_LOAD]
    }
    return (pl.col(S.REGION).replace_strict(label, default="?") + pl.lit(f"-{version}")).alias(
        S.MODEL_VERSION
    )


def train_task(task: TrainTask) -> GroupResult:
    """Entry point of a worker process: rebuild settings and store, train the group."""
    settings = Settings.model_validate_json(task.settings_json)
    return train_regions(open_store(settings), settings, task.now, task.regions, task.horizon, task.version)


def run_train(
    store: Store,
    settings: Settings,
    now: datetime,
    regions: Sequence[str] | None = None,
    horizon: int | None = None,
    executor: Executor | None = None,
    on_done: Callable[[], None] | None = None,
) -> TrainReport:
    """Fit models per region and publish one forecast issue; fanned out by region groups if asked."""
    catalog = load_catalog(settings)
    wanted = list(regions) if regions else list(catalog)
    for region in wanted:
        if region not in catalog:
            raise UnknownRegionError(region, catalog)
    data_version = store.version("observations")
    family = SeasonalNaive.name if settings.train_models == "baseline" else "default"
    version = f"{family}-d{data_version}-{now:%Y%m%dT%H%M%SZ}"
    hours = horizon or settings.default_horizon
    if executor is None:
        results = [train_regions(store, settings, now, wanted, hours, version)]
    else:
        tasks = [
            TrainTask(settings.model_dump_json(), group, now, hours, version)
            for group in groups(wanted, executor.workers)
        ]
        results = executor.map(train_task, tasks, on_done)
    usable = [r for result in results for r in result.regions]
    skipped = {k: v for result in results for k, v in result.skipped.items()}
    if not usable:
        raise NothingToTrainError(
            "no region has enough data to train: "
            + "; ".join(f"{r}: {w}" for r, w in skipped.items())
            + " (load data with `headroom demo` or `headroom ingest`)"
        )
    rows = sum(result.rows for result in results)
    record_run(
        store,
        "train",
        now,
        "ok",
        figures={
            "regions": len(usable),
            "rows": rows,
            "skipped": skipped,
            "model_version": version,
            "data_version": data_version,
            "executor": executor.name if executor else "inline",
        },
    )
    return TrainReport(now, version, data_version, usable, rows, skipped)
