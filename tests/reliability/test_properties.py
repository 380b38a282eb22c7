"""Invariants, with hypothesis, through the doors people use: the records API, the published table, HTTP.

Already covered elsewhere and not repeated: the accounting of a CSV file
(tests/pipelines/ingest/test_ingest.py), queue probabilities of the pure model
(tests/forecast/planning/test_plan_queue_risk.py) and headroom sample by sample
(tests/forecast/test_headroom_paths.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from forecast import schema as S
from pipelines.config.settings import Settings
from pipelines.ingest.records import ingest_records
from pipelines.serving.published import PublishedForecasts, latest_issues
from pipelines.store import Store
from pipelines.training.train import run_train
from service.app import create_app
from tests.conftest import NOW
from tests.reliability.conftest import snapshot
from tests.service.conftest import options

PROPERTY = hsettings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
T0 = datetime(2024, 3, 1, tzinfo=UTC)
VALUES = st.one_of(
    st.floats(0, 60_000, allow_nan=False),
    st.integers(-100, 60_000),
    st.sampled_from(["", "n/e", "abc", "NaN", "inf", "1,234", " 42 ", "-1"]),
)
RECORD = st.fixed_dictionaries(
    {
        "region": st.sampled_from(["de-fra", "us-nova", "atlantis"]),
        "series": st.sampled_from(["grid_load", "ai_demand", "capacity", "bogus"]),
        "ts": st.integers(0, 47).map(lambda h: (T0 + timedelta(hours=h)).isoformat()),
        "value": VALUES,
    },
    optional={"unit": st.sampled_from(["MW", "kW", "GW", "parsecs"])},
)


@PROPERTY
@given(st.lists(RECORD, min_size=1, max_size=60))
def test_ingest_records__is_idempotent_and_every_row_is_accounted_for(tmp_path_factory, records):
    settings = Settings(home=tmp_path_factory.mktemp("idem") / "home")
    store = Store(settings.tables)
    first = ingest_records(store, settings, records, source="prop", now=NOW)
    assert first.balanced and first.rows_read == len(records)
    assert sum(first.by_reason.values()) == first.quarantined
    before = snapshot(store)
    again = ingest_records(store, settings, records, source="prop", now=NOW + timedelta(hours=1))
    assert again.balanced and again.observations_written == 0 and again.quarantine_written == 0
    assert again.accepted == 0 and again.updated == 0
    assert snapshot(store) == before
    stored = store.read("quarantine")
    assert stored.height == first.quarantined  # quarantine holds each rejected row once


@pytest.fixture(scope="module")
def published(demo_settings) -> PublishedForecasts:
    forecasts = PublishedForecasts(Store(demo_settings.tables))
    forecasts.refresh()
    return forecasts


@PROPERTY
@given(
    quantiles=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=9, unique=True),
    region=st.sampled_from(["us-nova", "de-fra", "nordics", "us-wtx"]),
    target=st.sampled_from([S.HEADROOM, S.GRID_LOAD, S.AI_DEMAND, S.CAPACITY]),
    horizon=st.integers(1, 168),
)
def test_served_quantiles__never_cross_for_any_request(published, quantiles, region, target, horizon):
    served = published.get(region, target, horizon, quantiles)
    wide = served.frame.sort(S.TS, S.QUANTILE).group_by(S.TS).agg(pl.col(S.VALUE).diff().drop_nulls().min())
    assert served.frame[S.TS].n_unique() == horizon
    assert (wide[S.VALUE].fill_null(0) >= -1e-9).all()


def _periodic(level: float, shape: list[float], hours: int, region: str) -> pl.DataFrame:
    ts = [T0 + timedelta(hours=h) for h in range(hours)]
    values = [level + shape[h % 24] for h in range(hours)]
    return pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: values})


SHAPE = st.lists(st.floats(0, 500, allow_nan=False).map(lambda v: round(v, 3)), min_size=24, max_size=24)


@hsettings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    load=st.floats(1_000, 20_000),
    ai=st.floats(0, 2_000),
    margin=st.floats(-500, 5_000),
    load_shape=SHAPE,
    ai_shape=SHAPE,
)
def test_published_headroom__is_capacity_minus_load_minus_ai_demand_when_components_are_certain(
    tmp_path_factory, load, ai, margin, load_shape, ai_shape
):
    """Daily-periodic components leave the seasonal models no error: every published quantile of
    headroom must then equal capacity - grid_load - ai_demand of the same hour, hour by hour."""
    settings = Settings(home=tmp_path_factory.mktemp("identity") / "home", n_samples=40, default_horizon=24)
    store = Store(settings.tables)
    hours = 24 * 9
    capacity = load + max(load_shape) + ai + max(ai_shape) + margin
    frames = {
        S.GRID_LOAD: _periodic(load, load_shape, hours, "de-fra"),
        S.AI_DEMAND: _periodic(ai, ai_shape, hours, "de-fra"),
        S.CAPACITY: _periodic(capacity, [0.0] * 24, hours, "de-fra"),
    }
    rows = pl.concat(
        [
            f.with_columns(
                pl.lit(name).alias(S.SERIES),
                pl.lit("MW").alias(S.UNIT),
                pl.lit("prop").alias(S.SOURCE),
                pl.lit(NOW).alias(S.INGESTED_AT),
                pl.lit(None, dtype=S.UTC_TS).alias(S.ISSUED_AT),
            )
            for name, f in frames.items()
        ],
        how="diagonal",
    )
    store.append("observations", rows)
    run_train(store, settings, NOW, regions=["de-fra"])
    issue = latest_issues(store)
    wide = issue.pivot(on=S.TARGET, index=[S.TS, S.QUANTILE], values=S.VALUE)
    identity = wide[S.CAPACITY] - wide[S.GRID_LOAD] - wide[S.AI_DEMAND]
    np.testing.assert_allclose(wide[S.HEADROOM].to_numpy(), identity.to_numpy(), atol=0.01)
    # and each component is what the periodic input says for that hour
    first = wide.sort(S.TS).row(0, named=True)
    hour = first[S.TS].hour
    assert first[S.GRID_LOAD] == pytest.approx(load + load_shape[hour], abs=0.01)


@pytest.fixture(scope="module")
def planning_client(planning_demo_home):
    with TestClient(create_app(Settings(home=planning_demo_home), options())) as client:
        yield client


@hsettings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    mw=st.floats(1, 3_000),
    more=st.floats(1, 3_000),
    days=st.integers(30, 3_000),
    later=st.integers(1, 1_500),
    region=st.sampled_from(["us-nova", "de-fra", "nordics", "us-wtx"]),
)
def test_queue_risk_api__p_energized_monotone_in_date_and_mw(planning_client, mw, more, days, later, region):
    # p_energized now means served at the target (connected AND headroom holds from then on), which
    # may fall with a later date when headroom runs out; the date-monotone part is p_connected.
    as_of = date(2026, 6, 15)

    def answer(mw_: float, day: int) -> dict:
        body = {
            "region": region,
            "mw": round(mw_, 3),
            "target_date": str(as_of + timedelta(days=day)),
            "as_of": str(as_of),
        }
        response = planning_client.post("/v1/queue-risk", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    base = answer(mw, days)
    assert answer(mw, days + later)["p_connected_by_target"] >= base["p_connected_by_target"] - 1e-9
    larger = answer(min(mw + more, 10_000), days)
    assert larger["p_energized_by_target"] <= base["p_energized_by_target"] + 1e-9
    assert base["p_energized_by_target"] <= 1 - base["headroom_shortfall_probability"] + 1e-9
