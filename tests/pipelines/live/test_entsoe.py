"""Live ENTSO-E pulls against recorded answers on a loopback server: windows, DST day, incremental."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from pipelines.live import LivePullError, LiveResponseError, pull_live_sources
from pipelines.store import load_series
from tests.pipelines.live.conftest import ENTSOE_TOKEN, FIXTURES, Answer

NOW = datetime(2024, 4, 1, 0, 30, tzinfo=UTC)
DE_LU = "10Y1001A1001A82H"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pull(store, settings, apis, retry, now=NOW, lookback=timedelta(days=2)):
    (report,) = pull_live_sources(
        store, settings, now, entsoe_token=ENTSOE_TOKEN, entsoe_base_url=apis.base_url,
        lookback=lookback, retry=retry, entsoe_window=timedelta(days=1),
    )[1:]
    return report


def test_entsoe_pull__dst_day_quarter_hours_average_to_23_hours(settings, store, apis, retry):
    report = pull(store, settings, apis, retry)
    assert report.balanced and report.rows_read == 92 + 23 and report.quarantined == 0
    load = load_series(store, S.GRID_LOAD).filter(pl.col(S.REGION) == "de-fra")
    assert load.height == 23  # 31 March 2024 in Brussels: 23:00Z to 22:00Z
    assert load[S.TS].to_list() == [utc(2024, 3, 30, 23) + timedelta(hours=h) for h in range(23)]
    quarters = [int(q) for q in (FIXTURES / "entsoe_a65_a16_de-lu_2024-03-31_pt15m.xml").read_text()
                .split("<quantity>")[1:] for q in [q.split("<")[0]]]
    assert load[S.VALUE].to_list() == pytest.approx([sum(quarters[4 * h: 4 * h + 4]) / 4 for h in range(23)])


def test_entsoe_pull__forecast_issued_at_10_brussels_the_day_before(settings, store, apis, retry):
    pull(store, settings, apis, retry)
    forecast = store.read("observations").filter(pl.col(S.SERIES) == S.OPERATOR_FORECAST)
    assert forecast.height == 23
    assert forecast[S.ISSUED_AT].unique().to_list() == [utc(2024, 3, 30, 9)]  # 10:00 CET


def test_entsoe_pull__asks_in_windows_and_treats_no_matching_data_as_empty(settings, store, apis, retry):
    pull(store, settings, apis, retry)
    asked = apis.entsoe_requests()
    zones = {q["outBiddingZone_Domain"][0] for q in asked}
    assert zones == {DE_LU, "10YNO-1--------2"}  # nordics answers 999: no data, no error
    load = sorted(q["periodStart"][0] for q in asked
                  if q["processType"] == ["A16"] and q["outBiddingZone_Domain"] == [DE_LU])
    assert load == ["202403300000", "202403310000"]
    assert all(q["documentType"] == ["A65"] for q in asked)


def test_entsoe_pull__second_pull_starts_after_the_last_stored_hour(settings, store, apis, retry):
    first = pull(store, settings, apis, retry, now=utc(2024, 3, 31, 12, 10))
    assert load_series(store, S.GRID_LOAD)[S.TS].max() == utc(2024, 3, 31, 11)
    apis.requests.clear()
    second = pull(store, settings, apis, retry)
    starts = [q["periodStart"][0] for q in apis.entsoe_requests()
              if q["processType"] == ["A16"] and q["outBiddingZone_Domain"] == [DE_LU]]
    assert starts == ["202403311200"]
    assert first.rows_read + second.rows_read - 23 == 92  # each quarter-hour read once
    assert load_series(store, S.GRID_LOAD).height == 23


def test_entsoe_pull__other_acknowledgements_are_errors(settings, store, apis, retry):
    body = (FIXTURES / "entsoe_acknowledgement_999.xml").read_bytes().replace(
        b"No matching data found for Data item", b"The amount of requested data exceeds allowed limit for"
    )
    apis.failures = [Answer(200, body, "text/xml")]
    with pytest.raises(LivePullError, match="exceeds allowed limit") as err:
        pull(store, settings, apis, retry)
    assert isinstance(err.value.errors[0], LiveResponseError)
    assert ENTSOE_TOKEN not in str(err.value)


def test_complete_hours__a_partly_published_last_hour_waits_for_the_next_pull():
    from pipelines.live.entsoe import complete_hours

    points = pl.DataFrame({
        "zone": DE_LU, "process": "A16", "start": "2024-03-31T10:00Z", "resolution": "PT15M",
        "position": [str(p) for p in range(1, 7)], "quantity": "1", "unit": "MAW",
    })
    kept = complete_hours(points)
    assert kept["position"].to_list() == ["1", "2", "3", "4"]  # 11:00 has 2 of 4 quarter-hours
    hourly = points.with_columns(pl.lit("PT60M").alias("resolution"))
    assert complete_hours(hourly).height == 6
