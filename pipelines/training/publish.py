"""One group of regions: fit (or load) its models, and publish its forecasts and headroom paths.

Runs in a worker process when training fans out: a `GroupTask` carries the settings and the
regions, never the data; each group writes its own rows in atomic appends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import polars as pl

from forecast import schema as S
from forecast.flexibility import with_seasonal_peak
from forecast.headroom import forecast_paths, quantiles_by_target
from forecast.models import ForecastModel, SeasonalNaive
from forecast.models.gbm import LightGBMParams
from forecast.models.naive import SeasonalNaiveParams
from forecast.selection import DefaultModel, SelectionParams
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.flexibility.basis import write_issue_bases
from pipelines.placement.paths import write_issue_paths
from pipelines.registry import promotion as C
from pipelines.registry.versions import Registry
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
    fit_processes: int = 1  # > 1: the targets' fits run side by side in processes of their own


def publish_group(store: Store, settings: Settings, task: GroupTask) -> GroupResult:
    """Fit (or load) the group's models and publish its forecasts in one atomic append (after
    the issue's joint headroom paths, in one append of their own).

    A retried task whose first attempt had committed finds its rows and adds nothing.
    """
    regions, now = task.regions, task.now
    frames = {name: load_series(store, name, regions) for name in (S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY)}
    frames, bases, unbased = _with_capacity_basis(frames, regions, settings)
    usable, skipped = _usable(frames, regions)
    skipped = {region: unbased.get(region, why) for region, why in skipped.items()}
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
            task.data_version, now, promote, task.fit_processes,
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
    write_issue_bases(store, now, {region: bases[region] for region in usable})
    store.append("forecasts", forecasts)
    decisions: dict[str, dict] = {}
    for target, part in serving.items():
        for region, decision in part.decisions.items():
            decisions.setdefault(region, {})[target] = decision
    return GroupResult(usable, forecasts.height, skipped, decisions, served)


def _with_capacity_basis(
    frames: dict[str, pl.DataFrame], regions: Sequence[str], settings: Settings
) -> tuple[dict[str, pl.DataFrame], dict[str, str], dict[str, str]]:
    """Components with every region's capacity basis (issue #17), the basis per region, and why
    a region has none.

    A region without a capacity series (any region loaded from EIA-930, ENTSO-E, ERCOT or PJM
    files) stands on its seasonal-peak thresholds (forecast.flexibility.with_seasonal_peak, in
    its catalog time zone; needs one whole local year of grid_load). A region with no ai_demand
    series has no contracted or pipeline AI load on record: 0 MW at its grid_load hours.
    """
    catalog = load_catalog(settings)
    zones = {region: catalog[region].timezone for region in regions if region in catalog}
    based = with_seasonal_peak(frames[S.GRID_LOAD], frames[S.CAPACITY], zones, regions)
    ai = frames[S.AI_DEMAND]
    without_ai = set(regions) - set(ai[S.REGION].unique().to_list())
    if without_ai:
        zeros = frames[S.GRID_LOAD].filter(pl.col(S.REGION).is_in(sorted(without_ai)))
        ai = pl.concat([ai, zeros.with_columns(pl.lit(0.0).cast(ai.schema[S.VALUE]).alias(S.VALUE))])
        ai = ai.sort(S.REGION, S.TS)
    components = {**frames, S.AI_DEMAND: ai, S.CAPACITY: based.capacity.sort(S.REGION, S.TS)}
    return components, based.bases, based.refused


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


def model_family(settings: Settings) -> str:
    """The model family `train` fits with these settings: the first word of its version ids."""
    return SeasonalNaive.name if settings.train_models == "baseline" else "default"


def _model_factory(settings: Settings, catalog: dict) -> Callable[[str, int], ForecastModel]:
    """Models per target: the seasonal-naive baseline, or each region's selected default model
    (picklable: an inline run fits its targets in processes side by side)."""
    if settings.train_models == "baseline":
        return _baseline_model
    params = SelectionParams(
        candidates=tuple(settings.train_candidates.split(",")),
        lightgbm=LightGBMParams(num_threads=settings.train_threads, seed=settings.seed),
    )
    calendars = {r: region.holidays for r, region in catalog.items()}
    timezones = {r: region.timezone for r, region in catalog.items()}
    return partial(_selection_model, calendars, timezones, settings.seed, params)


def _baseline_model(target: str, longest: int) -> ForecastModel:
    return SeasonalNaive(SeasonalNaiveParams())


def _selection_model(
    calendars: dict, timezones: dict, seed: int, params: SelectionParams, target: str, longest: int
) -> ForecastModel:
    return DefaultModel(calendars, timezones, horizon=longest, season=24, seed=seed, params=params)


def group_task(task: GroupTask) -> GroupResult:
    """Entry point of a worker process: rebuild settings and store, do the group's work."""
    settings = Settings.model_validate_json(task.settings_json)
    return publish_group(open_store(settings), settings, task)


