"""Placement from the store: each issue keeps its joint headroom paths; answers read them back."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.placement import PlacementQuery
from forecast.placement.query import RunLongerThanWindowError
from pipelines.config.settings import Settings
from pipelines.demo import run_demo
from pipelines.placement import answers
from pipelines.placement.answers import HorizonPassedError, run_placement
from pipelines.placement.paths import PathsNotPublishedError, prune_paths, write_issue_paths
from pipelines.serving.published import latest_issues
from pipelines.store import Store
from pipelines.training.train import run_train
from tests.conftest import NOW


@pytest.fixture
def small_home(tmp_path):
    """21 days of demo data trained with 40 drawn paths, all of them kept."""
    settings = Settings(home=tmp_path / "home", n_samples=40, path_samples=40)
    store = Store(settings.tables)
    run_demo(store, settings, NOW, days=21, seed=7)
    run_train(store, settings, NOW)
    return settings, store


def test_publish__keeps_the_issues_paths_capped_at_path_samples(demo_settings):
    store = Store(demo_settings.tables)
    paths = store.read("headroom_paths")
    forecasts = latest_issues(store).filter(pl.col(S.TARGET) == S.HEADROOM)
    assert paths[S.SAMPLE].n_unique() == demo_settings.path_samples == 200 < demo_settings.n_samples
    assert paths.schema[S.VALUE] == pl.Float32
    assert set(paths[S.ISSUED_AT].unique()) == {NOW}
    per_region = paths.group_by(S.REGION).agg(pl.col(S.TS).n_unique().alias("hours"), pl.len())
    assert per_region["hours"].to_list() == [demo_settings.default_horizon] * 4
    assert set(paths[S.TS].unique()) == set(forecasts[S.TS].unique())
    versions = forecasts.select(S.REGION, S.MODEL_VERSION).unique()
    assert paths.select(S.REGION, S.MODEL_VERSION).unique().sort(S.REGION).equals(versions.sort(S.REGION))


def test_publish__stored_paths_are_the_ones_the_quantiles_come_from(small_home):
    _, store = small_home
    paths = store.read("headroom_paths")
    mine = paths.group_by(S.REGION, S.TS).agg(pl.col(S.VALUE).cast(pl.Float64).median().alias("mine"))
    published = latest_issues(store).filter((pl.col(S.TARGET) == S.HEADROOM) & (pl.col(S.QUANTILE) == 0.5))
    joined = published.join(mine, on=[S.REGION, S.TS])
    assert joined.height == published.height > 0
    scale = joined[S.VALUE].abs().max()
    assert (joined[S.VALUE] - joined["mine"]).abs().max() <= 1e-6 * scale + 2e-3  # float32, 3 decimals


def test_p_uninterrupted__equals_a_hand_count_over_the_stored_paths(demo_settings):
    store = Store(demo_settings.tables)
    answer = run_placement(store, demo_settings, PlacementQuery(mw=3000, hours=24, top=20), NOW)
    paths = store.read("headroom_paths")
    for plan in answer.plans:
        run = paths.filter(
            (pl.col(S.REGION) == plan.region) & (pl.col(S.TS) >= plan.start) & (pl.col(S.TS) < plan.end)
        )
        fits = 0
        for _, sample in run.group_by(S.SAMPLE):
            assert sample.height == 24
            fits += all(v >= 3000 for v in sample[S.VALUE].to_list())
        assert plan.p_uninterrupted == fits / 200
    assert answer.issued_at == NOW and answer.n_samples == 200
    assert answer.model_version.startswith("seasonal_naive")


def test_same_store_and_query__give_the_same_answer(demo_settings, monkeypatch):
    store = Store(demo_settings.tables)
    query = PlacementQuery(mw=3000, hours=24, split=True)
    first = run_placement(store, demo_settings, query, NOW).as_dict()
    monkeypatch.setattr(answers, "CUBES", answers.CubeCache())  # a fresh process: nothing cached
    assert run_placement(Store(demo_settings.tables), demo_settings, query, NOW).as_dict() == first


def test_cube__is_built_once_per_published_version(small_home, monkeypatch):
    settings, store = small_home
    built = []
    real = answers.build_cube
    monkeypatch.setattr(answers, "build_cube", lambda s: built.append(1) or real(s))
    monkeypatch.setattr(answers, "CUBES", answers.CubeCache())
    query = PlacementQuery(mw=100, hours=4)
    run_placement(store, settings, query, NOW)
    run_placement(store, settings, query, NOW + timedelta(hours=1))
    assert len(built) == 1
    run_train(store, settings, NOW + timedelta(hours=2))
    later = run_placement(store, settings, query, NOW + timedelta(hours=2))
    assert len(built) == 2 and later.issued_at == NOW + timedelta(hours=2)


def test_bad_query__is_named_before_the_issue_is_judged(demo_settings):
    store = Store(demo_settings.tables)
    with pytest.raises(RunLongerThanWindowError) as info:
        run_placement(store, demo_settings, PlacementQuery(mw=10, hours=200), NOW)
    assert info.value.field == "hours"


def test_issue_whose_horizon_has_passed__says_so(demo_settings):
    store = Store(demo_settings.tables)
    with pytest.raises(HorizonPassedError, match="publish a newer forecast"):
        run_placement(store, demo_settings, PlacementQuery(mw=10, hours=2), NOW + timedelta(days=8))


def test_no_published_paths__is_not_published(settings, store):
    with pytest.raises(PathsNotPublishedError):
        run_placement(store, settings, PlacementQuery(mw=10, hours=2), NOW)


def test_retried_publish__replaces_a_crashed_attempts_paths(small_home):
    _, store = small_home
    paths = store.read("headroom_paths")
    regions = sorted(paths[S.REGION].unique().to_list())
    write_issue_paths(store, paths, NOW, regions)  # the retry of an attempt that had written them
    again = store.read("headroom_paths")
    assert again.height == paths.height
    assert again.sort(S.REGION, S.SAMPLE, S.TS).equals(paths.sort(S.REGION, S.SAMPLE, S.TS))


def test_prune__keeps_each_regions_latest_issues(small_home):
    settings, store = small_home
    for hours in (1, 2):
        run_train(store, settings, NOW + timedelta(hours=hours))
    before = store.read("headroom_paths")
    assert prune_paths(store, keep=2) == before.filter(pl.col(S.ISSUED_AT) == NOW).height
    assert set(store.read("headroom_paths")[S.ISSUED_AT].unique()) == {
        NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    }
    assert dataclasses.is_dataclass(run_placement(store, settings, PlacementQuery(mw=1, hours=1), NOW))


def test_compact_job__prunes_headroom_paths_to_the_latest_issues(small_home):
    from pipelines.jobs.runner import run_job

    settings, store = small_home
    for hours in (1, 2):
        run_train(store, settings, NOW + timedelta(hours=hours))
    kept = settings.model_copy(update={"paths_keep_issues": 1})
    before = store.read("headroom_paths")
    result = run_job("compact", kept, store)
    after = store.read("headroom_paths")
    assert set(after[S.ISSUED_AT].unique()) == {NOW + timedelta(hours=2)}
    assert result.figures["headroom_paths_pruned_rows"] == before.height - after.height > 0
    assert dataclasses.is_dataclass(run_placement(store, kept, PlacementQuery(mw=1, hours=1), NOW))
