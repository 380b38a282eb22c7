"""Backtest fan-out by groups of regions: tasks name the data, workers read it, numbers match inline."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation.candidates import ModelSetup
from forecast.evaluation.plan import BacktestSpec
from pipelines.backtest import tasks as backtest_tasks
from pipelines.backtest.data import (
    BacktestData,
    DataRef,
    NoDataError,
    last_days,
    read_data_file,
    read_store_data,
)
from pipelines.backtest.engine import run_backtest, units
from pipelines.backtest.tasks import RegionTask, region_groups
from pipelines.executor import Executor, LocalExecutor

T0 = datetime(2024, 1, 1, tzinfo=UTC)
REGIONS = ("us-nova", "de-fra", "nordics", "us-wtx", "zz-extra")
SPEC = BacktestSpec(horizon=12, folds=3, step=12, seed=3, models=("seasonal_naive_baseline", "operator"))
PLAIN = BacktestSpec(horizon=12, folds=3)


def observations(hours: int = 24 * 8, series: str = S.GRID_LOAD, scale: float = 1.0) -> pl.DataFrame:
    t = np.arange(hours)
    return pl.concat(
        pl.DataFrame(
            {
                S.REGION: region,
                S.SERIES: series,
                S.TS: [T0 + timedelta(hours=int(h)) for h in t],
                S.VALUE: scale * (100 * (i + 1) + 10 * np.sin(2 * np.pi * t / 24))
                + np.random.default_rng(i).normal(0, 1, hours),
                S.INGESTED_AT: T0,
            }
        )
        for i, region in enumerate(REGIONS)
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS), pl.col(S.INGESTED_AT).cast(S.UTC_TS))


def vintages(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(S.OPERATOR_FORECAST).alias(S.SERIES),
        (pl.col(S.TS) - timedelta(hours=12)).alias(S.ISSUED_AT),
        pl.col(S.VALUE) * 1.02,
    )


@pytest.fixture
def small_groups(monkeypatch):
    """Two regions a task, so five regions make three tasks."""
    monkeypatch.setattr(backtest_tasks, "REGIONS_PER_TASK", 2)


def _same(fanned, inline) -> None:
    assert fanned.predictions.equals(inline.predictions)
    timing = ("fit_seconds", "predict_seconds")
    assert fanned.table.drop(timing).equals(inline.table.drop(timing))


def test_region_groups__depend_on_the_regions_only():
    assert region_groups(["c", "a", "b", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert region_groups([], 2) == []


class Recording(Executor):
    """Runs tasks here, keeping them: what a real executor would have pickled."""

    def __init__(self) -> None:
        self.items: list = []

    def map(self, func, items, on_done=None) -> list:
        self.items += items
        return [func(item) for item in items]

    @property
    def workers(self) -> int:
        return 1

    def close(self) -> None:
        pass


def test_region_task__carries_where_the_data_is_never_the_frame(settings, store, small_groups):
    store.append("observations", observations(24 * 60))
    data = read_store_data(store, settings)
    recording = Recording()
    _same(run_backtest(data, PLAIN, recording), run_backtest(data, PLAIN))
    regions = [t.regions for t in recording.items]
    assert regions == [("de-fra", "nordics"), ("us-nova", "us-wtx"), ("zz-extra",)]
    for task in recording.items:
        values = [getattr(task, f.name) for f in dataclasses.fields(task)]
        values += [getattr(task.ref, f.name) for f in dataclasses.fields(task.ref)]
        assert not any(isinstance(v, pl.DataFrame | pl.LazyFrame) for v in values)
        assert len(pickle.dumps(task)) < 5_000 < len(pickle.dumps(data.frame)) / 20
        assert task.ref.version == data.source["table_version"]
        assert set(task.setup.timezones) <= set(task.regions)  # zz-extra is in no catalog


def test_run_backtest__local_pool_matches_inline_on_a_store_version_and_a_file(
    settings, store, tmp_path, small_groups
):
    load = observations()
    store.append("observations", pl.concat([load, vintages(load)], how="diagonal_relaxed"))
    data = read_store_data(store, settings)
    path = tmp_path / "load.parquet"
    load.drop(S.INGESTED_AT).write_parquet(path)
    from_file = last_days(read_data_file(path), 7)
    newer = observations(scale=2.0).with_columns(pl.col(S.INGESTED_AT) + timedelta(days=1))
    store.append("observations", newer)  # a newer version, which the workers must not read
    inline, inline_file = run_backtest(data, SPEC), run_backtest(from_file, PLAIN)
    steps: list[int] = []
    with LocalExecutor(workers=2) as pool:
        fanned = run_backtest(data, SPEC, pool, steps.append)
        fanned_file = run_backtest(from_file, PLAIN, pool)
    _same(fanned, inline)  # the workers read the version the driver read, not the newer one
    _same(fanned_file, inline_file)
    assert set(inline.table[S.MODEL]) == {"seasonal_naive_baseline", "operator"}
    assert inline.predictions[S.REGION].n_unique() == len(REGIONS)
    assert sum(steps) == units(SPEC, fanned.plan) == 3 * len(REGIONS)
    assert inline_file.predictions[S.TS].min() > load[S.TS].max() - timedelta(days=7)


def test_run_backtest__headroom_fans_out_with_its_components(settings, store, small_groups):
    load = observations()
    parts = [
        load.with_columns(pl.lit(S.CAPACITY).alias(S.SERIES), pl.lit(900.0).alias(S.VALUE)),
        load,
        load.with_columns(pl.lit(S.AI_DEMAND).alias(S.SERIES), pl.col(S.VALUE) / 4),
    ]
    store.append("observations", pl.concat(parts))
    data = read_store_data(store, settings, target=S.HEADROOM)
    spec = BacktestSpec(horizon=12, folds=2, models=("seasonal_naive_baseline",))
    inline = run_backtest(data, spec)
    with LocalExecutor(workers=2) as pool:
        _same(run_backtest(data, spec, pool), inline)
    assert inline.predictions[S.REGION].n_unique() == len(REGIONS)


def test_run_backtest__data_built_in_memory_cannot_fan_out():
    frame = observations().select(S.REGION, S.TS, S.VALUE)
    data = BacktestData(frame, frame.head(0), {"path": "memory"})
    with pytest.raises(NoDataError, match="fanning out needs data read"):
        run_backtest(data, BacktestSpec(horizon=12, folds=2), executor=object())  # type: ignore[arg-type]


def test_region_task__a_file_missing_on_a_worker_says_where_to_put_it(tmp_path):
    task = RegionTask(
        DataRef(S.GRID_LOAD, path=str(tmp_path / "gone.csv")), ("a",), PLAIN, ModelSetup(12)
    )
    with pytest.raises(FileNotFoundError, match="same path on every worker"):
        backtest_tasks.region_task(task)
