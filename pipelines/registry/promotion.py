"""Model versions of one group of regions: fit challengers, backtest, register, promote, serve.

Every fitted demand model (grid_load, ai_demand) is a registry version with its holdout
backtest. `train` promotes what it fits; `retrain` promotes a challenger only where it beats the
champion on the same folds with its interval coverage in the band; `refresh` fits nothing and
re-forecasts from the latest data with the champions (fitting only where a region has none).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime
from functools import partial

import polars as pl

from forecast import schema as S
from forecast.evaluation.challenger import HoldoutParams, backtest_fitted, decide, split_holdout
from forecast.evaluation.metrics import seasonal_naive_scale
from forecast.headroom import latest_ends
from forecast.models import ForecastModel
from forecast.routing import ByRegion
from pipelines.config.settings import Settings
from pipelines.executor import one_thread_per_worker
from pipelines.registry.files import write_model
from pipelines.registry.versions import ModelVersion, Registry, code_version

DEMANDS = (S.GRID_LOAD, S.AI_DEMAND)
MIN_TRAIN_HOURS = 168  # below this after the holdout, a region is fitted on all it has, unscored


def holdout_params(settings: Settings) -> HoldoutParams:
    """The champion/challenger backtest set by configuration."""
    return HoldoutParams(
        folds=settings.retrain_folds, horizon=settings.retrain_horizon, season=24,
        coverage_low=settings.retrain_coverage_low, coverage_high=settings.retrain_coverage_high,
    )


@dataclass
class Serving:
    """The model serving each region of one target, its registry record, and what was decided."""

    models: dict[str, ForecastModel] = field(default_factory=dict)
    records: dict[str, ModelVersion] = field(default_factory=dict)
    decisions: dict[str, dict] = field(default_factory=dict)


def _model_name(model: ForecastModel, region: str) -> str:
    choice = getattr(model, "choice", None)
    return choice.get(region, model.name) if choice else model.name


def _describe(model: ForecastModel, region: str) -> tuple[dict, list[str]]:
    """Parameters and features of the model serving `region` (the chosen one of a selection)."""
    chosen = getattr(model, "models", {}).get(_model_name(model, region), model)
    described = chosen.describe() if hasattr(chosen, "describe") else {}
    raw = getattr(chosen, "params", None)
    if not (params := described.get("params")):
        params = asdict(raw) if is_dataclass(raw) and not isinstance(raw, type) else {}
    return {"class": type(chosen).__name__, **params}, list(described.get("features", []))


def fit_challengers(
    frame: pl.DataFrame, make: Callable[[], ForecastModel], params: HoldoutParams
) -> tuple[dict[str, ForecastModel], dict[str, dict]]:
    """(model per region, holdout figures per region): fitted before each region's holdout.

    A region too short to hold out `params.hours` and still train is fitted on all its data and
    has no figures (it cannot beat a champion that has them).
    """
    lengths = frame.group_by(S.REGION).len()
    long = lengths.filter(pl.col("len") >= params.hours + MIN_TRAIN_HOURS)[S.REGION].sort().to_list()
    short = lengths.filter(pl.col("len") < params.hours + MIN_TRAIN_HOURS)[S.REGION].sort().to_list()
    models: dict[str, ForecastModel] = {}
    figures: dict[str, dict] = {}
    if long:
        part = frame.filter(pl.col(S.REGION).is_in(long))
        train, origins = split_holdout(part, params)
        model = make().fit(train)
        scales = seasonal_naive_scale(train, params.season, S.VALUE)
        figures = backtest_fitted(model, part, origins, scales, params)
        models.update(dict.fromkeys(long, model))
    if short:
        model = make().fit(frame.filter(pl.col(S.REGION).is_in(short)))
        models.update(dict.fromkeys(short, model))
    return models, figures


def register(
    registry: Registry, target: str, version: str, models: Mapping[str, ForecastModel],
    figures: Mapping[str, dict], data_version: int | None, now: datetime,
) -> dict[str, ModelVersion]:
    """Save each distinct model once, as a version of every region it serves."""
    by_model: dict[int, tuple[ForecastModel, list[str]]] = {}
    for region, model in models.items():
        by_model.setdefault(id(model), (model, []))[1].append(region)
    saved: dict[str, ModelVersion] = {}
    for model, regions in by_model.values():
        records = []
        for region in regions:
            params, features = _describe(model, region)
            records.append(ModelVersion(
                version=version, region=region, target=target, model=_model_name(model, region),
                params=params, features=features, data_version=data_version,
                backtest=figures.get(region, {}), code_version=code_version(), created_at=now,
            ))
        for record in registry.save_group(records, lambda folder, m=model: write_model(m, folder)):
            saved[record.region] = record
    return saved


class ChampionLoader:
    """Champion models of a registry, each version loaded once (its files checked first)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._models: dict[tuple[str, str], ForecastModel] = {}

    def get(self, region: str, target: str) -> tuple[ModelVersion, ForecastModel] | None:
        """The champion record and model of a region, or None when it has none."""
        record = self.registry.champion_record(region, target)
        if record is None:
            return None
        key = (target, record.version)
        if key in self._models:  # the model is read once; every region's own files are still checked
            self.registry.open(region, target, record.version)
        else:
            self._models[key] = self.registry.load(region, target, record.version)
        return record, self._models[key]


def champion_figures(
    loader: ChampionLoader, target: str, frame: pl.DataFrame, regions: Sequence[str], params: HoldoutParams
) -> dict[str, tuple[ModelVersion | None, ForecastModel | None, dict | None, str]]:
    """Per region: champion record, model, its figures on this holdout, and a note if unusable."""
    out: dict[str, tuple[ModelVersion | None, ForecastModel | None, dict | None, str]] = {}
    by_version: dict[str, list[str]] = {}
    for region in regions:
        try:
            found = loader.get(region, target)
        except Exception as exc:  # a bad checksum, or files older code wrote: the challenger replaces it
            out[region] = (None, None, None, f"champion unusable: {type(exc).__name__}: {exc}")
            continue
        if found is None:
            out[region] = (None, None, None, "no champion")
            continue
        by_version.setdefault(found[0].version, []).append(region)
        out[region] = (found[0], found[1], None, "")
    for version, members in by_version.items():
        model = out[members[0]][1]
        assert model is not None
        part = frame.filter(pl.col(S.REGION).is_in(members))
        long = part.group_by(S.REGION).len().filter(pl.col("len") >= params.hours + MIN_TRAIN_HOURS)
        part = part.filter(pl.col(S.REGION).is_in(long[S.REGION].implode()))
        if part.is_empty():
            continue
        train, origins = split_holdout(part, params)
        try:
            scales = seasonal_naive_scale(train, params.season, S.VALUE)
            figures = backtest_fitted(model, part, origins, scales, params)
        except ValueError as exc:  # e.g. calibrated for fewer hours than asked
            figures = {}
            for region in members:
                record, champ, _, _ = out[region]
                out[region] = (record, champ, None, f"champion could not be backtested: {exc}")
        for region, fig in figures.items():
            record, champ, _, _ = out[region]
            out[region] = (record, champ, fig, f"champion {version}")
    return out


def build_versions(
    registry: Registry, settings: Settings, frames: Mapping[str, pl.DataFrame], regions: Sequence[str],
    make_model: Callable[[str, int], ForecastModel], horizon: int, version: str,
    data_version: int | None, now: datetime, promote: str, processes: int = 1,
) -> dict[str, Serving]:
    """Fit, backtest and register a challenger per demand target; promote `always` or `if_better`.

    With `processes` > 1 (and a picklable `make_model`) the targets are fitted side by side in
    spawned processes of one native thread each: the same fits, on more cores.
    """
    params = holdout_params(settings)
    ends = latest_ends(frames)
    loader = ChampionLoader(registry)
    jobs = []
    for target in DEMANDS:
        frame = frames[target].filter(pl.col(S.REGION).is_in(list(regions)))
        longest = horizon + int(ends[f"lag_{target}"].max())
        jobs.append((frame, partial(make_model, target, longest), params))
    if processes > 1:
        context = multiprocessing.get_context("spawn")
        workers = min(processes, len(jobs))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=one_thread_per_worker) as pool:
            fits = list(pool.map(_fit_job, jobs))
    else:
        fits = [_fit_job(job) for job in jobs]
    serving: dict[str, Serving] = {}
    for target, (frame, _, _), (models, figures) in zip(DEMANDS, jobs, fits, strict=True):
        saved = register(registry, target, version, models, figures, data_version, now)
        champions = (
            champion_figures(loader, target, frame, list(models), params) if promote == "if_better" else {}
        )
        chosen = serving[target] = Serving()
        for region, model in models.items():
            record, champ, champ_fig, note = champions.get(region, (None, None, None, "trained by hand"))
            if promote == "always":
                promoted, reason = True, "trained by `headroom train`"
            elif champ is None:  # something must serve
                promoted, reason = True, f"{note}: the challenger serves"
            else:
                promoted, reason = decide(figures.get(region), champ_fig, params)
                if champ_fig is None:
                    reason = f"{reason} ({note})"
            if promoted:
                registry.promote(region, target, version, reason)
                chosen.models[region], chosen.records[region] = model, saved[region]
            else:
                assert record is not None and champ is not None
                chosen.models[region], chosen.records[region] = champ, record
            chosen.decisions[region] = {
                "promoted": promoted, "reason": reason, "challenger": figures.get(region, {}),
                "champion": champ_fig or {}, "champion_version": record.version if record else None,
            }
    return serving


def _fit_job(job: tuple) -> tuple[dict[str, ForecastModel], dict[str, dict]]:
    """`fit_challengers` of one target (a process pool's task)."""
    return fit_challengers(*job)


def load_champions(registry: Registry, regions: Sequence[str]) -> tuple[dict[str, Serving], list[str]]:
    """The champions serving `regions` per demand target, and the regions lacking one."""
    loader = ChampionLoader(registry)
    serving = {target: Serving() for target in DEMANDS}
    missing = []
    for region in regions:
        found = {target: loader.get(region, target) for target in DEMANDS}
        if any(f is None for f in found.values()):
            missing.append(region)
            continue
        for target, (record, model) in ((t, f) for t, f in found.items() if f is not None):
            serving[target].models[region], serving[target].records[region] = model, record
    return serving, missing


def merge(parts: Sequence[Mapping[str, Serving]]) -> dict[str, Serving]:
    """Servings of disjoint region sets as one."""
    out = {target: Serving() for target in DEMANDS}
    for part in parts:
        for target, s in part.items():
            out[target].models.update(s.models)
            out[target].records.update(s.records)
            out[target].decisions.update(s.decisions)
    return out


def fitted_models(serving: Mapping[str, Serving]) -> dict[str, ForecastModel]:
    """One model per demand target, routing each region to its serving version."""
    return {target: ByRegion(s.models) for target, s in serving.items()}


def labels(serving: Mapping[str, Serving]) -> dict[str, str]:
    """The published model_version of each region, naming the model (and version) per target."""
    out = {}
    for region, load in serving[S.GRID_LOAD].records.items():
        ai = serving[S.AI_DEMAND].records[region]
        if load.version != ai.version:
            out[region] = f"{load.model}-{load.version}+{ai.model}-{ai.version}"
        elif load.model == ai.model and load.version.startswith(load.model):
            out[region] = load.version
        else:
            out[region] = f"{load.model}+{ai.model}-{load.version}"
    return out
