"""`make run` serves the baseline first; the serving process's scheduler then trains the selection."""

import os

from typer.testing import CliRunner

from forecast import schema as S
from pipelines.cli import app
from pipelines.config.settings import Settings, get_settings
from pipelines.demo import run_demo
from pipelines.executor import LocalExecutor
from pipelines.jobs.scheduler import build_scheduler, schedule_upgrade
from pipelines.jobs.upgrade import UPGRADE_JOB, upgrade_pending, upgrade_serving
from pipelines.serving.published import latest_issues
from pipelines.training.publish import _model_factory
from pipelines.training.train import run_train
from tests.conftest import NOW

REGIONS = ["de-fra", "nordics", "us-nova", "us-wtx"]


def _served(store) -> dict[str, str]:
    return dict(latest_issues(store).select(S.REGION, S.MODEL_VERSION).unique().iter_rows())


def test_settings__the_selection_is_what_trains_and_serves_by_default(monkeypatch):
    monkeypatch.delenv("HEADROOM_TRAIN_MODELS", raising=False)
    assert Settings().train_models == "default"


def test_upgrade__baseline_champions_are_replaced_by_the_selection_once(settings, store):
    run_demo(store, settings, NOW, days=40, seed=1)
    run_train(store, settings, NOW, horizon=24)  # the baseline, as `make run` publishes first
    selection = settings.model_copy(update={
        "train_models": "default", "train_candidates": "seasonal_naive", "default_horizon": 24,
    })
    assert upgrade_pending(settings) == []  # a configured baseline never asks for an upgrade
    assert sorted(upgrade_pending(selection)) == REGIONS
    assert all(v.startswith("seasonal_naive-d") for v in _served(store).values())

    figures = upgrade_serving(selection)

    targets = ("grid_load", "ai_demand")
    assert sorted(figures["promoted"]) == sorted(f"{r}/{t}" for r in REGIONS for t in targets)
    assert all("-default-d" in v for v in _served(store).values()), _served(store)
    assert upgrade_pending(selection) == []
    assert upgrade_serving(selection) == {"skipped": "the configured models already serve"}
    # once the selection serves, a baseline run of the scheduler does not bring the baseline back
    assert upgrade_pending(settings) == []


def test_scheduler__plans_the_upgrade_only_while_the_baseline_serves(settings, store):
    run_demo(store, settings, NOW, days=20, seed=1)
    run_train(store, settings, NOW, horizon=24)
    scheduler = build_scheduler(settings)  # not started: the planned job stays pending
    assert not schedule_upgrade(scheduler, settings)
    assert scheduler.get_job(UPGRADE_JOB) is None
    assert schedule_upgrade(scheduler, settings.model_copy(update={"train_models": "default"}))
    assert scheduler.get_job(UPGRADE_JOB) is not None


def test_cli_train__if_unserved_keeps_a_published_issue(settings, store, monkeypatch):
    run_demo(store, settings, NOW, days=20, seed=1)
    run_train(store, settings, NOW, horizon=24)
    before = store.version("forecasts")
    monkeypatch.setenv("HEADROOM_HOME", str(settings.home))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["train", "--models", "baseline", "--if-unserved"])
    assert result.exit_code == 0, result.output
    assert "already published" in result.output
    assert store.version("forecasts") == before


def test_training__lightgbm_threads_and_seed_come_from_settings(settings):
    chosen = settings.model_copy(update={"train_models": "default", "train_threads": 3, "seed": 11})
    model = _model_factory(chosen, {})("grid_load", 24)
    assert (model.params.lightgbm.num_threads, model.params.lightgbm.seed) == (3, 11)


def _thread_env() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def test_local_pool__each_worker_runs_native_libraries_on_one_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with LocalExecutor(workers=2) as pool:
        seen = pool.map(_thread_env_of, [0, 1])
    assert seen == [dict.fromkeys(_thread_env(), "1")] * 2


def _thread_env_of(_: int) -> dict[str, str | None]:
    return _thread_env()

