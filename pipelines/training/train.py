"""Fit, retrain or refresh per group of regions, and publish quantiles of load, AI demand and headroom.

`train` fits and promotes; `retrain` fits challengers and promotes only the better ones; `refresh`
re-forecasts from the latest data with the champions. All three publish one forecast issue, fan
out by groups of regions on an executor when given one, and keep the registry and store
consistent if killed (each group's forecasts are one atomic append; versions are atomic folders).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from forecast.errors import UserError
from forecast.headroom import forecast_paths, quantiles_by_target
from forecast.models import ForecastModel, SeasonalNaive
from forecast.models.naive import SeasonalNaiveParams
from forecast.selection import DefaultModel, SelectionParams
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.executor import Executor, groups
from pipelines.placement.paths import write_issue_paths
from pipelines.registry import promotion as C
from pipelines.registry.versions import Registry
from pipelines.runs import last_published_version, recorded
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
# Regions whose sample paths are drawn at once (500 paths x 168 h x 3 components each): bounds
# the memory of a large group; models are still fitted over the whole group.
PATH_CHUNK = 64


class NothingToTrainError(UserError, ValueError):
    """No region has enough data to forecast."""


@dataclass(frozen=True)
class TrainReport:
    """What one training, retraining or refresh run published."""

    issued_at: datetime
    model_version: str
    data_version: int | None
    regions: list[str]
    rows: int
    skipped: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, dict] = field(default_factory=dict)  # region -> target -> promoted, reason
    served: dict[str, str] = field(default_factory=dict)  # region -> published model_version

    def figures(self) -> dict:
        """The run's figures for the runs table."""
        promoted = [
            f"{region}/{target}" for region, by in self.decisions.items()
            for target, d in by.items() if d["promoted"]
        ]
        return {
            "regions": len(self.regions), "rows": self.rows, "skipped": self.skipped,
            "model_version": self.model_version, "data_version": self.data_version,
            "served": self.served, "promoted": promoted, "decisions": self.decisions,
        }


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
    """What one group of regions wrote (small: it crosses process boundaries)."""

    regions: list[str]
    rows: int
    skipped: dict[str, str]
    decisions: dict[str, dict] = field(default_factory=dict)
    served: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupTask:
    """One group of regions for a worker; the settings travel, the data does not."""

    settings_json: str
    regions: list[str]
    now: datetime
    horizon: int
    version: str
    data_version: int | None
    mode: str  # train | retrain | refresh


def publish_group(store: Store, settings: Settings, task: GroupTask) -> GroupResult:
    """Fit (or load) the group's models and publish its forecasts in one atomic append (after
    the issue's joint headroom paths, in one append of their own).

    A retried task whose first attempt had committed finds its rows and adds nothing.
    """
    regions, now = task.regions, task.now
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
    if written:
        return GroupResult(usable, written, skipped)
    frames = {k: v.filter(pl.col(S.REGION).is_in(usable)) for k, v in frames.items()}
    make_model = _model_factory(settings, load_catalog(settings))
    registry = Registry(settings)

    def build(members: Sequence[str], promote: str) -> dict[str, C.Serving]:
        return C.build_versions(
            registry, settings, frames, members, make_model, task.horizon, task.version,
            task.data_version, now, promote,
        )

    if task.mode == "refresh":
        serving, missing = C.load_champions(registry, usable)
        serving = C.merge([serving, build(missing, "always")]) if missing else serving
    else:
        serving = build(usable, "always" if task.mode == "train" else "if_better")
    chunks = [
        _forecast_chunk(frames, chunk, serving, make_model, task.horizon, settings)
        for chunk in (usable[i : i + PATH_CHUNK] for i in range(0, len(usable), PATH_CHUNK))
    ]
    forecasts = pl.concat([quantiles for quantiles, _ in chunks])
    served = C.labels(serving)
    issue = (
        pl.lit(now).cast(S.UTC_TS).alias(S.ISSUED_AT),
        pl.col(S.REGION).replace_strict(served, default="?").alias(S.MODEL_VERSION),
    )
    forecasts = forecasts.with_columns(pl.col(S.VALUE).round(3), *issue)
    # Paths first: they are read only for an issue whose forecasts exist, so a crash between the
    # two appends leaves an unread orphan that the retry (which finds no forecasts) replaces.
    paths = pl.concat([kept for _, kept in chunks]).with_columns(*issue)
    if paths.height:
        write_issue_paths(store, paths, now, usable)
    store.append("forecasts", forecasts)
    decisions: dict[str, dict] = {}
    for target, part in serving.items():
        for region, decision in part.decisions.items():
            decisions.setdefault(region, {})[target] = decision
    return GroupResult(usable, forecasts.height, skipped, decisions, served)


def _forecast_chunk(
    frames: dict[str, pl.DataFrame], regions: list[str], serving: dict[str, C.Serving],
    make_model: Callable[[str, int], ForecastModel], horizon: int, settings: Settings,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Quantiles for some regions of a group, and the first `path_samples` of their joint headroom
    paths (kept with the issue for placement): the sample paths are what takes the memory."""
    parts = {k: v.filter(pl.col(S.REGION).is_in(regions)) for k, v in frames.items()}
    models = {t: C.Serving(models={r: s.models[r] for r in regions}) for t, s in serving.items()}
    paths, _ = forecast_paths(
        parts[S.GRID_LOAD], parts[S.AI_DEMAND], parts[S.CAPACITY],
        make_model=make_model, horizon=horizon, n_samples=settings.n_samples, seed=settings.seed,
        fitted=C.fitted_models(models),
    )
    kept = paths[S.HEADROOM].filter(pl.col(S.SAMPLE) < settings.path_samples).select(
        S.REGION, pl.col(S.SAMPLE).cast(pl.Int32), S.TS, pl.col(S.VALUE).cast(pl.Float32)
    )
    return quantiles_by_target(paths, PUBLISHED_QUANTILES), kept


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


def group_task(task: GroupTask) -> GroupResult:
    """Entry point of a worker process: rebuild settings and store, do the group's work."""
    settings = Settings.model_validate_json(task.settings_json)
    return publish_group(open_store(settings), settings, task)


def _run(
    mode: str, store: Store, settings: Settings, now: datetime, regions: Sequence[str] | None,
    horizon: int | None, executor: Executor | None, on_done: Callable[[], None] | None,
) -> TrainReport:
    """Fan the groups out (or run them inline) and gather their small results."""
    catalog = load_catalog(settings)
    wanted = list(regions) if regions else list(catalog)
    for region in wanted:
        if region not in catalog:
            raise UnknownRegionError(region, catalog)
    data_version = store.version("observations")
    family = SeasonalNaive.name if settings.train_models == "baseline" else "default"
    version = f"{family}-d{data_version}-{now:%Y%m%dT%H%M%SZ}"
    hours = horizon or settings.default_horizon
    json_settings = settings.model_dump_json()
    tasks = [
        GroupTask(json_settings, group, now, hours, version, data_version, mode)
        for group in (groups(wanted, executor.workers) if executor else [wanted])
    ]
    results = executor.map(group_task, tasks, on_done) if executor else [group_task(tasks[0])]
    usable = [r for result in results for r in result.regions]
    skipped = {k: v for result in results for k, v in result.skipped.items()}
    if not usable:
        raise NothingToTrainError(
            "no region has enough data to train: "
            + "; ".join(f"{r}: {w}" for r, w in skipped.items())
            + " (load data with `headroom demo` or `headroom ingest`)"
        )
    served = {k: v for result in results for k, v in result.served.items()}
    decisions = {k: v for result in results for k, v in result.decisions.items()}
    fitted = mode != "refresh" or decisions
    label = version if fitted else ",".join(sorted(set(served.values())))
    rows = sum(result.rows for result in results)
    return TrainReport(now, label, data_version, usable, rows, skipped, decisions, served)


def run_train(
    store: Store,
    settings: Settings,
    now: datetime,
    regions: Sequence[str] | None = None,
    horizon: int | None = None,
    executor: Executor | None = None,
    on_done: Callable[[], None] | None = None,
) -> TrainReport:
    """Fit models per region, make them the champions, and publish one forecast issue."""
    executor_name = executor.name if executor else "inline"
    reports: list[TrainReport] = []

    def train() -> dict:
        reports.append(_run("train", store, settings, now, regions, horizon, executor, on_done))
        return {**reports[0].figures(), "executor": executor_name}

    recorded(store, "train", now, train)
    return reports[0]


def run_retrain(
    store: Store,
    settings: Settings,
    now: datetime,
    regions: Sequence[str] | None = None,
    executor: Executor | None = None,
    on_done: Callable[[], None] | None = None,
) -> TrainReport:
    """Fit challengers, promote those that beat their champion, publish with whatever serves."""
    return _run("retrain", store, settings, now, regions, None, executor, on_done)


def run_refresh(
    store: Store,
    settings: Settings,
    now: datetime,
    regions: Sequence[str] | None = None,
    executor: Executor | None = None,
    on_done: Callable[[], None] | None = None,
    force: bool = False,
) -> TrainReport | None:
    """Re-forecast with the champions when the data changed since the last issue (or if forced)."""
    if not force and last_published_version(store) == store.version("observations"):
        return None
    return _run("refresh", store, settings, now, regions, None, executor, on_done)
