"""Fan-out by region: local pool and Dask give the same forecasts; a lost worker loses nothing."""

import os
import signal
import threading

import polars as pl
import pytest

from forecast import schema as S
from pipelines.demo import run_demo
from pipelines.executor import DaskExecutor, LocalExecutor, get_executor, groups
from pipelines.store import Store
from pipelines.training.train import run_train
from tests.conftest import NOW


def _published(store: Store) -> pl.DataFrame:
    return store.read("forecasts").drop(S.MODEL_VERSION).sort(S.REGION, S.TARGET, S.TS, S.QUANTILE)


@pytest.fixture
def demo_store(settings, store):
    run_demo(store, settings, NOW, days=21, seed=5, synthetic_regions=4)
    return store


def test_groups__cover_every_region_once_in_coarse_tasks():
    regions = [f"r{i}" for i in range(1003)]
    parts = groups(regions, workers=2)
    assert [r for part in parts for r in part] == regions
    assert len(parts) <= 8 + 1


def test_get_executor__unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="local or dask"):
        get_executor("spark")


def test_train__local_pool_and_dask_publish_identical_forecasts(settings, demo_store, tmp_path):
    inline = run_train(demo_store, settings, NOW)
    expected = _published(demo_store)
    other = settings.model_copy(update={"home": tmp_path / "pool"})
    run_demo(Store(other.tables), other, NOW, days=21, seed=5, synthetic_regions=4)
    with LocalExecutor(workers=2) as pool:
        local = run_train(Store(other.tables), other, NOW, executor=pool)
    assert sorted(local.regions) == sorted(inline.regions)
    assert _published(Store(other.tables)).equals(expected)
    third = settings.model_copy(update={"home": tmp_path / "dask"})
    run_demo(Store(third.tables), third, NOW, days=21, seed=5, synthetic_regions=4)
    with DaskExecutor(workers=2) as cluster:
        run_train(Store(third.tables), third, NOW, executor=cluster)
    assert _published(Store(third.tables)).equals(expected)


def _slow_square(x: int) -> int:
    import time

    time.sleep(0.5)  # long enough for the test to kill the worker running it
    return x * x


def test_dask__a_killed_worker_is_replaced_and_every_task_completes():
    with DaskExecutor(workers=2) as cluster:
        pids = list(cluster.client.run(os.getpid).values())
        killer = threading.Timer(0.3, lambda: os.kill(pids[0], signal.SIGKILL))
        killer.start()
        results = cluster.map(_slow_square, list(range(8)))
        killer.join()
    assert results == [x * x for x in range(8)]


def test_train__dask_retry_after_a_lost_worker_keeps_the_store_consistent(settings, demo_store):
    with DaskExecutor(workers=2) as cluster:
        pids = list(cluster.client.run(os.getpid).values())
        killer = threading.Timer(0.5, lambda: os.kill(pids[0], signal.SIGKILL))
        killer.start()
        report = run_train(demo_store, settings, NOW, executor=cluster)
        killer.join()
    published = demo_store.read("forecasts")
    per_key = published.group_by(S.REGION, S.TARGET, S.TS, S.QUANTILE).len()
    assert (per_key["len"] == 1).all(), "a retried task wrote its rows twice"
    assert published[S.REGION].n_unique() == len(report.regions) == 8


def test_refresh_job__fans_out_on_the_configured_pool_with_the_same_forecasts(settings, demo_store, tmp_path):
    from pipelines.jobs.schedule import refresh

    run_train(demo_store, settings, NOW)
    newer = demo_store.read("observations").head(1).with_columns(pl.col(S.VALUE) + 1)
    demo_store.append("observations", newer)
    later = NOW.replace(minute=45)
    inline = refresh(demo_store, settings, later)
    expected = _published(demo_store).sort(S.ISSUED_AT, maintain_order=True)
    pooled = settings.model_copy(update={"home": tmp_path / "pool", "executor": "local"})
    other = Store(pooled.tables)
    run_demo(other, pooled, NOW, days=21, seed=5, synthetic_regions=4)
    run_train(other, pooled, NOW)
    other.append("observations", other.read("observations").head(1).with_columns(pl.col(S.VALUE) + 1))
    fanned = refresh(other, pooled, later)
    assert fanned["executor"] == "local" and fanned["served"] == inline["served"]
    assert _published(other).sort(S.ISSUED_AT, maintain_order=True).equals(expected)


def test_train__selection_publishes_the_same_forecasts_inline_in_pools_of_2_and_4_and_on_dask(
    settings, tmp_path
):
    """Groups are cut from the sorted regions, never from the worker count, so the global
    LightGBM and the calibration origin grid see the same regions whatever runs them."""
    chosen = settings.model_copy(update={
        "train_models": "default", "train_candidates": "seasonal_naive,lightgbm", "retrain_folds": 2,
    })

    def published(name: str, executor) -> pl.DataFrame:
        home = chosen.model_copy(update={"home": tmp_path / name})
        store = Store(home.tables)
        run_demo(store, home, NOW, days=40, seed=3)
        run_train(store, home, NOW, horizon=24, executor=executor)
        return store.read("forecasts").sort(S.REGION, S.TARGET, S.TS, S.QUANTILE)

    expected = published("inline", None)
    assert expected[S.MODEL_VERSION].str.contains("lightgbm").any(), "LightGBM serves somewhere"
    for workers in (2, 4):
        with LocalExecutor(workers=workers) as pool:
            assert published(f"local{workers}", pool).equals(expected), f"local pool of {workers}"
    with DaskExecutor(workers=2) as cluster:
        assert published("dask", cluster).equals(expected), "dask"
