"""ENTSO-E API XML saved to a file: PT15M and PT60M load documents on a DST-change day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from pipelines.ingest.observations import ingest_file
from pipelines.sources import SourceFormatError, detect_format
from pipelines.store import load_series
from tests.pipelines.live.conftest import FIXTURES

PT15M = FIXTURES / "entsoe_a65_a16_de-lu_2024-03-31_pt15m.xml"
PT60M = FIXTURES / "entsoe_a65_a01_de-lu_2024-03-31_pt60m.xml"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = [datetime(2024, 3, 30, 23, tzinfo=UTC) + timedelta(hours=h) for h in range(23)]


def quantities(path) -> list[float]:
    return [float(q.split("<")[0]) for q in path.read_text().split("<quantity>")[1:]]


def test_entsoe_xml__detected():
    assert detect_format(PT15M) == detect_format(PT60M) == "entsoe"


def test_entsoe_xml__pt15m_quarters_average_to_the_23_hours_of_the_spring_day(settings, store):
    report = ingest_file(store, settings, PT15M, now=NOW)
    assert report.balanced and (report.rows_read, report.accepted, report.quarantined) == (92, 92, 0)
    load = load_series(store, S.GRID_LOAD)
    q = quantities(PT15M)
    assert load[S.TS].to_list() == DAY and load[S.REGION].unique().to_list() == ["de-fra"]
    assert load[S.VALUE].to_list() == pytest.approx([sum(q[4 * h: 4 * h + 4]) / 4 for h in range(23)])


def test_entsoe_xml__pt60m_forecast_is_hourly_with_its_issue_time(settings, store):
    report = ingest_file(store, settings, PT60M, now=NOW)
    assert (report.rows_read, report.accepted) == (23, 23)
    rows = store.read("observations").sort(S.TS)
    assert rows[S.SERIES].unique().to_list() == [S.OPERATOR_FORECAST]
    assert rows[S.TS].to_list() == DAY and rows[S.VALUE].to_list() == quantities(PT60M)
    assert rows[S.ISSUED_AT].unique().to_list() == [datetime(2024, 3, 30, 9, tzinfo=UTC)]  # 10:00 CET


def test_entsoe_xml__acknowledgement_is_not_a_load_document(settings, store):
    with pytest.raises(SourceFormatError, match="GL_MarketDocument"):
        ingest_file(store, settings, FIXTURES / "entsoe_acknowledgement_999.xml", "entsoe", now=NOW)


def test_entsoe_xml__unknown_zone_is_quarantined(settings, store, tmp_path):
    path = tmp_path / "other.xml"
    path.write_text(PT60M.read_text().replace("10Y1001A1001A82H", "10YFR-RTE------C"))
    report = ingest_file(store, settings, path, now=NOW)
    assert report.by_reason == {"unknown_region": 23}
    assert store.read("quarantine")["raw"].str.contains("10YFR-RTE").all()
    assert pl.Series(store.read("quarantine")["field"]).unique().to_list() == [S.REGION]


def test_entsoe_xml__a03_blocks_repeat_the_previous_value(settings, store, tmp_path):
    text = PT15M.read_text().replace("<curveType>A01</curveType>", "<curveType>A03</curveType>")
    for position in (2, 3):  # equal to position 1: an A03 document leaves them out
        block = text[text.index(f"<position>{position}</position>") - 20:]
        block = block[block.index("<Point>"): block.index("</Point>") + len("</Point>")]
        text = text.replace(block, "", 1)
    path = tmp_path / "a03.xml"
    path.write_text(text)
    report = ingest_file(store, settings, path, now=NOW)
    assert (report.rows_read, report.quarantined) == (92, 0)  # every quarter-hour of the day
    q = quantities(PT15M)
    load = load_series(store, S.GRID_LOAD)
    assert load[S.VALUE][0] == pytest.approx((3 * q[0] + q[3]) / 4)
    assert load[S.VALUE].to_list()[1:] == pytest.approx([sum(q[4 * h: 4 * h + 4]) / 4 for h in range(1, 23)])
