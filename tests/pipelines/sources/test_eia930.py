"""EIA API v2 JSON answers saved to a file: region-data (D, DF) and region-sub-ba-data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from forecast import schema as S
from pipelines.ingest.observations import ingest_file
from pipelines.sources import SourceFormatError, detect_format
from tests.pipelines.live.conftest import FIXTURES

REGION_DATA = FIXTURES / "eia_region_data_2024-03-09_11.json"
SUB_BA = FIXTURES / "eia_region_sub_ba_data_2024-03-09_11.json"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_eia_json__detected():
    assert detect_format(REGION_DATA) == detect_format(SUB_BA) == "eia930"


def test_eia_json__ba_demand_of_a_sub_ba_region_is_not_its_load_but_the_forecast_is_kept(settings, store):
    report = ingest_file(store, settings, REGION_DATA, now=NOW)
    assert report.balanced and report.rows_read == 3 * 72
    assert report.by_reason == {"area_larger_than_region": 72}  # PJM D: the whole RTO, not Dominion
    forecast = store.read("observations").filter(pl.col(S.SERIES) == S.OPERATOR_FORECAST)
    assert forecast.group_by(S.REGION).len().sort(S.REGION).rows() == [("us-nova", 72), ("us-wtx", 72)]


def test_eia_json__dst_day_forecast_issue_times(settings, store):
    ingest_file(store, settings, REGION_DATA, now=NOW)
    rows = store.read("observations").filter(pl.col(S.REGION) == "us-wtx")
    issued = dict(zip(rows[S.TS].to_list(), rows[S.ISSUED_AT].to_list(), strict=True))
    # Central time: 10 March has 23 hours (06:00Z to 05:00Z); issued at 00:00 local of the day
    assert issued[utc(2024, 3, 10, 6)] == utc(2024, 3, 10, 6)
    assert issued[utc(2024, 3, 11, 4)] == utc(2024, 3, 10, 6)
    assert issued[utc(2024, 3, 11, 5)] == utc(2024, 3, 11, 5)


def test_eia_json__sub_ba_answer_is_region_load(settings, store):
    report = ingest_file(store, settings, SUB_BA, now=NOW)
    assert report.by_reason == {"missing_value": 1}
    load = store.read("observations").filter(pl.col(S.SERIES) == S.GRID_LOAD)
    assert load.group_by(S.REGION).len().sort(S.REGION).rows() == [("us-nova", 71), ("us-wtx", 72)]
    # period 2024-03-09T06 is hour ending: the first stored hour begins at 05:00 UTC
    assert load[S.TS].min() == utc(2024, 3, 9, 5)
    first = next(r for r in json.loads(SUB_BA.read_text())["response"]["data"] if r["subba"] == "DOM")
    value = load.filter((pl.col(S.TS) == utc(2024, 3, 9, 5)) & (pl.col(S.REGION) == "us-nova"))[S.VALUE]
    assert first["period"] == "2024-03-09T06" and value.item() == pytest.approx(float(first["value"]))


def test_eia_json__without_response_data_names_what_was_found(settings, store, tmp_path):
    path = tmp_path / "error.json"
    path.write_text('{"response": {"x": 1}, "error": "Invalid frequency provided."}')
    assert detect_format(path) == "eia930"
    with pytest.raises(SourceFormatError, match=r"response\.data"):
        ingest_file(store, settings, path, now=NOW)
