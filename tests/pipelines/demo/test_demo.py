"""The demo is deterministic and has the documented properties."""

from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.demo import demo_frames, run_demo
from pipelines.demo import synthetic as syn
from tests.conftest import NOW

DAYS = 60


@pytest.fixture(scope="module")
def frames():
    settings = Settings()
    return demo_frames(load_catalog(settings), settings, NOW, DAYS, seed=7, synthetic_regions=2)


def test_demo__same_seed_gives_identical_data(frames):
    settings = Settings()
    again = demo_frames(load_catalog(settings), settings, NOW, DAYS, seed=7, synthetic_regions=2)
    assert frames[0].equals(again[0]) and frames[1].equals(again[1])
    other = demo_frames(load_catalog(settings), settings, NOW, DAYS, seed=8, synthetic_regions=2)
    assert not frames[0].equals(other[0])


def test_demo__every_region_has_each_series_on_a_gapless_hourly_grid(frames):
    observations = frames[0]
    counts = observations.group_by(S.REGION, S.SERIES).agg(
        pl.len(),
        pl.col(S.TS).n_unique().alias("unique"),
        pl.col(S.TS).max().alias("end"),
        pl.col(S.TS).min().alias("start"),
    )
    assert counts.height == 6 * 3
    assert (counts["len"] == DAYS * 24).all() and (counts["unique"] == DAYS * 24).all()
    assert (counts["end"] == NOW.replace(minute=0)).all()
    assert ((counts["end"] - counts["start"]) == timedelta(hours=DAYS * 24 - 1)).all()


def test_demo__real_grid_load_records_its_replay_shift(frames):
    load = frames[0].filter((pl.col(S.SERIES) == S.GRID_LOAD) & pl.col(S.REGION).is_in(list(frames[3])))
    for region, shift in frames[3].items():
        sources = load.filter(pl.col(S.REGION) == region)[S.SOURCE].unique().to_list()
        assert sources == [sources[0]] and f"shift_days={shift}" in sources[0]


def test_demo__queue_waits_fall_inside_each_regions_catalog_range(frames):
    catalog = load_catalog(Settings())
    queues = frames[1]
    done = queues.filter(pl.col("status") == "in_service").with_columns(
        ((pl.col("in_service_on") - pl.col("requested_on")).dt.total_days() / 365.25).alias("years")
    )
    for region_id in ("us-nova", "de-fra", "nordics", "us-wtx"):
        lo, hi = catalog[region_id].queue_years
        years = done.filter(pl.col(S.REGION) == region_id)["years"]
        assert years.len() > 20
        assert years.min() >= lo - 0.01 and years.max() <= hi + 0.01, region_id
    statuses = set(queues["status"].unique())
    assert statuses == {"active", "in_service", "withdrawn"}
    active = queues.filter(pl.col("status") == "active")
    assert active["in_service_on"].null_count() == active.height


def test_demo__larger_requests_wait_longer(frames):
    done = (
        frames[1]
        .filter(pl.col("status") == "in_service")
        .with_columns((pl.col("in_service_on") - pl.col("requested_on")).dt.total_days().alias("days"))
    )
    corr = np.corrcoef(done["mw"].rank().to_numpy(), done["days"].rank().to_numpy())[0, 1]
    assert corr > 0.2


def test_demo__reserve_margin_is_tight_in_nova_and_loose_in_nordics(frames):
    obs = frames[0]

    def margin(region: str) -> float:
        part = obs.filter(pl.col(S.REGION) == region)
        cap = part.filter(pl.col(S.SERIES) == S.CAPACITY)[S.VALUE].min()
        peak = part.filter(pl.col(S.SERIES) == S.GRID_LOAD)[S.VALUE].max()
        return cap / peak - 1

    assert margin("nordics") > 2 * margin("us-nova")
    assert margin("nordics") > 2 * margin("de-fra")


def test_ai_demand__grows_and_never_exceeds_rack_bound():
    catalog = load_catalog(Settings())
    region = catalog["us-nova"]
    params = syn.AI_DEMAND["us-nova"]
    ts = syn.hourly_index(NOW.replace(minute=0), 365)
    ai = syn.ai_demand(region, ts, NOW, params, seed=1)
    bound = params.racks * region.rack_kw[1] * params.pue / 1000
    assert (ai <= bound).all() and (ai >= 0).all()
    assert ai[-24 * 30 :].mean() > ai[: 24 * 30].mean() * 1.2


def test_run_demo__second_run_adds_nothing(settings, store):
    first = run_demo(store, settings, NOW, days=30, seed=3)
    second = run_demo(store, settings, NOW, days=30, seed=3)
    assert first.observations == 4 * 3 * 30 * 24
    assert second.observations == 0
    assert store.read("observations").height == first.observations
    assert store.read("queue_requests").height == first.queue_requests


def test_run_demo__synthetic_regions_join_the_catalog(settings, store):
    report = run_demo(store, settings, NOW, days=10, seed=3, synthetic_regions=3)
    catalog = load_catalog(settings)
    assert {"syn-0001", "syn-0002", "syn-0003"} <= set(catalog)
    assert set(report.regions) == set(catalog)
