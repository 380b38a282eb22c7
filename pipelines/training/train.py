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

from forecast.catalog import UnknownRegionError
from forecast.errors import UserError
from pipelines.backtest.tasks import region_groups
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.executor import Executor
from pipelines.runs import last_published_version, recorded
from pipelines.store import Store
from pipelines.training.publish import GroupTask, group_task, model_family


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


def train_groups(regions: Sequence[str]) -> list[list[str]]:
    """The groups a run fits, cut from the sorted regions alone, never from the executor.

    Each group fits one global LightGBM and one calibration origin grid, so the published
    forecasts are the same inline, on a local pool of any size and on Dask (as in the backtest).
    """
    return region_groups(regions)


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
    version = f"{model_family(settings)}-d{data_version}-{now:%Y%m%dT%H%M%SZ}"
    hours = horizon or settings.default_horizon
    json_settings = settings.model_dump_json()
    # Inline, a group's targets are fitted side by side (a pool already has a task per core).
    fits = executor is None and mode != "refresh" and settings.train_models == "default"
    side_by_side = settings.train_processes if fits else 1
    tasks = [
        GroupTask(json_settings, group, now, hours, version, data_version, mode, side_by_side)
        for group in train_groups(wanted)
    ]
    results = executor.map(group_task, tasks, on_done) if executor else [group_task(t) for t in tasks]
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
    return recorded(
        store, "train", now,
        lambda: _run("train", store, settings, now, regions, horizon, executor, on_done),
        lambda report: {**report.figures(), "executor": executor_name},
    )


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
