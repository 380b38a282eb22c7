"""Each adapter on the shipped raw slices (DST-change days included), against hand-checked values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from forecast import schema as S
from pipelines.ingest.observations import ingest_file
from pipelines.sources import detect_format
from pipelines.store import load_series

RAW = Path(__file__).resolve().parents[3] / "data" / "samples" / "raw"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("name", "fmt"), [
    ("entsoe_de-lu_dst_2019.csv", "entsoe"), ("pjm_DOM_hourly_dst.csv", "pjm"),
    ("PJM-DOM.csv", "eia930"), ("PJM.csv", "eia930"), ("ercot_native_load_dst_2017.csv", "ercot"),
    ("nordpool_consumption_dst_2013.xls", "nordpool"),
])
def test_samples__detected_and_every_row_accounted_for(settings, store, name, fmt):
    assert detect_format(RAW / name) == fmt
    report = ingest_file(store, settings, RAW / name, now=NOW)
    assert report.balanced and report.rows_read > 0 and report.accepted > 0


def test_entsoe__quarter_hours_average_and_dst_hours_land_right(settings, store):
    report = ingest_file(store, settings, RAW / "entsoe_de-lu_dst_2019.csv", now=NOW)
    assert report.by_reason == {"nonexistent_local_time": 8}  # 4 quarter-hours x 2 columns
    load = load_series(store, S.GRID_LOAD).filter(pl.col(S.REGION) == "de-fra")
    values = dict(zip(load[S.TS].to_list(), load[S.VALUE].to_list(), strict=True))
    assert values[utc(2019, 3, 31, 0)] == pytest.approx(38840.25)  # 01:00-02:00 CET
    assert values[utc(2019, 10, 27, 0)] == pytest.approx(42399.25)  # first 02:00 (CEST)
    assert load.height == 24 + 23 + 24 + 25  # 30-31 Mar (23 h), 26-27 Oct (25 h)
    forecast = store.read("observations").filter(pl.col(S.SERIES) == S.OPERATOR_FORECAST)
    issued = forecast.filter(pl.col(S.TS) == utc(2019, 10, 27, 0))[S.ISSUED_AT].item()
    assert issued == utc(2019, 10, 26, 8)  # 10:00 CEST the day before


def test_pjm__duplicated_autumn_hour_and_implausible_value(settings, store):
    report = ingest_file(store, settings, RAW / "pjm_DOM_hourly_dst.csv", now=NOW)
    assert report.by_reason == {}  # too little history here to judge the 1,253 MW value
    load = load_series(store, S.GRID_LOAD)
    values = dict(zip(load[S.TS].to_list(), load[S.VALUE].to_list(), strict=True))
    # Oracle: ../shared/data/long/pjm_dom_kaggle_2005_2018.csv
    assert values[utc(2014, 11, 2, 5)] == 8555.0 and values[utc(2014, 11, 2, 6)] == 8562.0
    assert values[utc(2014, 3, 9, 6)] == 8539.0 and values[utc(2014, 3, 9, 7)] == 8370.0


def test_eia930__spikes_missing_and_forecast_issue_time(settings, store):
    dom = ingest_file(store, settings, RAW / "PJM-DOM.csv", now=NOW)
    assert dom.by_reason == {"implausible_physical": 2, "missing_value": 18}
    ba = ingest_file(store, settings, RAW / "PJM.csv", now=NOW)
    # The PJM BA total is not Northern Virginia's load; its day-ahead forecast is the yardstick.
    assert ba.by_reason["area_larger_than_region"] == 96
    forecast = store.read("observations").filter(pl.col(S.SERIES) == S.OPERATOR_FORECAST)
    row = forecast.filter(pl.col(S.TS) == utc(2019, 11, 4, 12)).row(0, named=True)
    assert row[S.REGION] == "us-nova" and row[S.ISSUED_AT] == utc(2019, 11, 4, 5)


def test_ercot__24_00_and_dst_marker(settings, store):
    report = ingest_file(store, settings, RAW / "ercot_native_load_dst_2017.csv", now=NOW)
    assert set(report.by_reason) == {"unknown_region"}  # zones without a catalog region
    load = load_series(store, S.GRID_LOAD).filter(pl.col(S.REGION) == "us-wtx")
    assert load.height == 24 + 23 + 24 + 25 + 24
    gaps = load.select(pl.col(S.TS).diff().dt.total_hours()).drop_nulls().to_series().unique().to_list()
    assert sorted(gaps) == [1, 5641]  # hourly, with one jump from March to November


def test_nordpool__spring_gap_rows_quarantined_autumn_hour_repeated(settings, store):
    report = ingest_file(store, settings, RAW / "nordpool_consumption_dst_2013.xls", now=NOW)
    assert report.by_reason["nonexistent_local_time"] == 6
    load = load_series(store, S.GRID_LOAD).filter(pl.col(S.REGION) == "nordics")
    assert load.filter(pl.col(S.TS).is_between(utc(2013, 10, 26, 22), utc(2013, 10, 27, 22))).height == 25
