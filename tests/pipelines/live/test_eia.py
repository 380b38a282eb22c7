"""Live EIA API v2 pulls against recorded answers on a loopback server: paging, DST, incremental."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from pipelines.config.region_files import load_catalog
from pipelines.live import pull_live_sources
from pipelines.live.eia import SUB_BA_DATA, eia_queries
from pipelines.store import load_series
from tests.pipelines.live.conftest import EIA_KEY

NOW = datetime(2024, 3, 12, 5, 30, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pull(store, settings, apis, retry, now=NOW, lookback=timedelta(days=3)):
    (report,) = [r for r in pull_live_sources(
        store, settings, now, eia_key=EIA_KEY, eia_base_url=apis.base_url, lookback=lookback, retry=retry,
    ) if r.source.startswith("eia-api")]
    return report


def test_eia_queries__sub_ba_load_and_ba_forecast_from_the_catalog(settings):
    queries = eia_queries(load_catalog(settings), {}, NOW, timedelta(days=1))
    by = {(q.region, q.series): q for q in queries}
    assert by[("us-nova", S.GRID_LOAD)].path == SUB_BA_DATA
    assert dict(by[("us-nova", S.GRID_LOAD)].facets) == {"parent": "PJM", "subba": "DOM"}
    assert dict(by[("us-wtx", S.OPERATOR_FORECAST)].facets) == {"respondent": "ERCO", "type": "DF"}
    assert by[("us-nova", S.GRID_LOAD)].last == utc(2024, 3, 12, 4)  # the last complete hour


def test_eia_pull__pages_through_every_row_and_accounts_for_each(settings, store, apis, retry):
    report = pull(store, settings, apis, retry)
    assert report.balanced and report.rows_read == 4 * 72
    assert report.by_reason == {"missing_value": 1}  # the one null DOM value
    # 72 rows a query, 24 a page: three pages each, every page asked with the next offset
    offsets = sorted(q["offset"][0] for q in apis.eia_requests())
    assert offsets == ["0"] * 4 + ["24"] * 4 + ["48"] * 4
    assert all(q["length"] == ["5000"] and q["frequency"] == ["hourly"] for q in apis.eia_requests())
    load = load_series(store, S.GRID_LOAD)
    assert load.group_by(S.REGION).len().sort(S.REGION).rows() == [("us-nova", 71), ("us-wtx", 72)]


def test_eia_pull__hour_ending_periods_and_forecast_issue_time_on_the_dst_day(settings, store, apis, retry):
    pull(store, settings, apis, retry)
    obs = store.read("observations").filter(pl.col(S.REGION) == "us-nova")
    load = obs.filter(pl.col(S.SERIES) == S.GRID_LOAD)
    # period 2024-03-09T06 (hour ending) is the hour that began at 05:00 UTC
    assert load[S.TS].min() == utc(2024, 3, 9, 5) and load[S.TS].max() == utc(2024, 3, 12, 4)
    # New York's 10 March has 23 hours (05:00Z to 04:00Z next day); one value was missing
    day = load.filter(pl.col(S.TS).is_between(utc(2024, 3, 10, 5), utc(2024, 3, 11, 3)))
    assert day.height == 22
    forecast = obs.filter(pl.col(S.SERIES) == S.OPERATOR_FORECAST)
    issued = dict(zip(forecast[S.TS].to_list(), forecast[S.ISSUED_AT].to_list(), strict=True))
    assert issued[utc(2024, 3, 10, 5)] == utc(2024, 3, 10, 5)  # 00:00 EST
    assert issued[utc(2024, 3, 11, 3)] == utc(2024, 3, 10, 5)  # 23:00 EDT, same local day
    assert issued[utc(2024, 3, 11, 4)] == utc(2024, 3, 11, 4)  # 00:00 EDT


def test_eia_pull__second_pull_fetches_only_new_hours(settings, store, apis, retry):
    first = pull(store, settings, apis, retry, now=NOW - timedelta(days=1), lookback=timedelta(days=2))
    assert first.rows_read == 2 * 48 + 2 * 72  # load up to the last hour; forecasts 48 h ahead
    apis.requests.clear()
    second = pull(store, settings, apis, retry)
    load_starts = {q["start"][0] for q in apis.eia_requests() if "facets[subba][]" in q}
    assert load_starts == {"2024-03-11T06"}  # the hour after the last stored one, hour ending
    assert (second.rows_read, second.accepted, second.unchanged) == (2 * 24, 2 * 24, 0)
    third = pull(store, settings, apis, retry)
    assert third.rows_read == 0 and third.observations_written == 0


def test_eia_pull__same_answer_twice_changes_nothing(settings, store, apis, retry):
    pull(store, settings, apis, retry)
    version = store.version("observations"), store.version("quarantine")
    store_ends_before = store.read("observations").height
    again = pull_live_sources(store, settings, NOW + timedelta(minutes=10), eia_key=EIA_KEY,
                              eia_base_url=apis.base_url, lookback=timedelta(days=3), retry=retry)
    assert again[0].observations_written == 0 and again[0].quarantine_written == 0
    assert (store.version("observations"), store.version("quarantine")) == version
    assert store.read("observations").height == store_ends_before


@pytest.mark.parametrize("status", [429, 503])
def test_eia_pull__retries_with_backoff_then_succeeds(settings, store, apis, retry, waits, status):
    from tests.pipelines.live.conftest import Answer

    apis.failures = [Answer(status, b'{"error": {"code": "OVER_RATE_LIMIT"}}')] * 2
    report = pull(store, settings, apis, retry)
    assert waits == [1.0, 2.0] and report.rows_read == 4 * 72
