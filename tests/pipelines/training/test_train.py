"""Training publishes one forecast issue per run for every region with enough data."""

from datetime import timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from pipelines.config.region_files import add_regions, load_catalog
from pipelines.demo import run_demo
from pipelines.serving.published import latest_issues
from pipelines.store import Store
from pipelines.training.publish import PUBLISHED_QUANTILES
from pipelines.training.train import NothingToTrainError, run_train
from tests.conftest import NOW


def test_train__publishes_every_target_region_hour_and_quantile(demo_settings):
    rows = latest_issues(Store(demo_settings.tables))
    counts = rows.group_by(S.REGION, S.TARGET).agg(
        pl.col(S.TS).n_unique().alias("hours"), pl.col(S.QUANTILE).n_unique().alias("qs")
    )
    assert counts.height == 4 * 4
    assert (counts["hours"] == demo_settings.default_horizon).all()
    assert (counts["qs"] == len(PUBLISHED_QUANTILES)).all()
    assert rows[S.TS].min() == NOW.replace(minute=0) + timedelta(hours=1)


def test_train__published_quantiles_never_cross(demo_settings):
    rows = latest_issues(Store(demo_settings.tables)).sort(S.REGION, S.TARGET, S.TS, S.QUANTILE)
    steps = rows.group_by(S.REGION, S.TARGET, S.TS).agg(pl.col(S.VALUE).diff().drop_nulls().min())
    assert steps[S.VALUE].min() >= 0


def test_train__headroom_median_is_near_capacity_minus_demand_medians(demo_settings):
    rows = latest_issues(Store(demo_settings.tables)).filter(pl.col(S.QUANTILE) == 0.5)
    wide = rows.pivot(on=S.TARGET, index=[S.REGION, S.TS], values=S.VALUE)
    gap = wide[S.CAPACITY] - wide[S.GRID_LOAD] - wide[S.AI_DEMAND] - wide[S.HEADROOM]
    assert (gap.abs() / wide[S.CAPACITY]).max() < 0.02


def test_train__second_run_becomes_the_served_issue(settings, store):
    run_demo(store, settings, NOW, days=20, seed=1)
    first = run_train(store, settings, NOW)
    second = run_train(store, settings, NOW + timedelta(minutes=5))
    served = latest_issues(store)
    assert served[S.MODEL_VERSION].unique().to_list() == [second.model_version]
    assert first.model_version != second.model_version
    runs = store.read("runs")
    assert runs.filter(pl.col("job") == "train").height == 2


def test_train__region_with_too_little_history_is_skipped_with_reason(settings, store):
    run_demo(store, settings, NOW, days=20, seed=1)
    add_regions(settings, [load_catalog(settings)["de-fra"].model_copy(update={"id": "xx-short"})])
    short = store.read("observations").filter(pl.col(S.REGION) == "us-nova").sort(S.TS).tail(50)
    store.append("observations", short.with_columns(pl.lit("xx-short").alias(S.REGION)))
    report = run_train(store, settings, NOW)
    assert "xx-short" in report.skipped and "needs 168" in report.skipped["xx-short"]
    assert "us-nova" in report.regions


def test_train__empty_store_says_how_to_load_data(settings, store):
    with pytest.raises(NothingToTrainError, match="headroom demo"):
        run_train(store, settings, NOW)


def test_train__unknown_region_names_the_known_ones(settings, store):
    with pytest.raises(UnknownRegionError, match="known regions: de-fra, nordics, us-nova, us-wtx"):
        run_train(store, settings, NOW, regions=["atlantis"])


def test_train__default_models_name_each_regions_choice_and_the_baseline_fallback(settings, store):
    run_demo(store, settings, NOW, days=40, seed=1)
    add_regions(settings, [load_catalog(settings)["de-fra"].model_copy(update={"id": "xx-young"})])
    young = store.read("observations").filter(pl.col(S.REGION) == "de-fra").sort(S.TS)
    store.append("observations", young.tail(3 * 300).with_columns(pl.lit("xx-young").alias(S.REGION)))
    chosen = settings.model_copy(update={"train_models": "default", "train_candidates": "seasonal_naive"})
    report = run_train(store, chosen, NOW, horizon=24)
    versions = dict(latest_issues(store).select(S.REGION, S.MODEL_VERSION).unique().iter_rows())
    assert versions["us-nova"].startswith("seasonal_naive+seasonal_naive-default-d")
    assert versions["xx-young"].startswith("seasonal_naive_baseline+seasonal_naive_baseline-")
    assert "xx-young" in report.regions


def test_train__paths_drawn_in_region_chunks_give_the_same_forecasts(settings, store, tmp_path, monkeypatch):
    from pipelines.training import publish as T

    run_demo(store, settings, NOW, days=20, seed=1)
    run_train(store, settings, NOW)
    whole = store.read("forecasts").drop(S.MODEL_VERSION).sort(S.REGION, S.TARGET, S.TS, S.QUANTILE)
    other = settings.model_copy(update={"home": tmp_path / "chunked"})
    chunked_store = Store(other.tables)
    run_demo(chunked_store, other, NOW, days=20, seed=1)
    monkeypatch.setattr(T, "PATH_CHUNK", 1)
    run_train(chunked_store, other, NOW)
    chunked = chunked_store.read("forecasts").drop(S.MODEL_VERSION).sort(S.REGION, S.TARGET, S.TS, S.QUANTILE)
    assert chunked.equals(whole)
