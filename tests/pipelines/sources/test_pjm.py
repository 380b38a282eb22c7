"""PJM Data Miner metered load: UTC hour beginning, load areas summed to their zone, DST day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from forecast import schema as S
from forecast.catalog import Region
from pipelines.config.region_files import add_regions
from pipelines.ingest.observations import ingest_file
from pipelines.sources import detect_format
from pipelines.store import load_series

DATAMINER = Path(__file__).resolve().parents[2] / "fixtures" / "ingest" / "pjm_hrl_load_metered_dst_2023.csv"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
T0 = datetime(2023, 11, 5, 3, tzinfo=UTC)  # 23:00 EDT on 4 Nov; the clocks go back at 06:00Z


@pytest.fixture
def ohio(settings):
    """A region measured at PJM's AEP zone (four load areas)."""
    add_regions(settings, [Region(
        id="us-ohio", name="Ohio (AEP zone), USA", timezone="America/New_York", holidays="US-OH",
        queue_years=(2.0, 4.0), energy_source="coal / gas", rack_kw=(40.0, 60.0),
        sources={"pjm_zone": "AEP"},
    )])
    return settings


def area_values() -> pl.DataFrame:
    """Oracle: the file's values per zone and hour, summed with a plain loop."""
    frame = pl.read_csv(DATAMINER, infer_schema=False)
    sums: dict[tuple[str, int], float] = {}
    for row in frame.iter_rows(named=True):
        hour = int(row["datetime_beginning_utc"].split(" ")[1].split(":")[0])
        if row["mw"]:
            sums[(row["zone"], hour)] = sums.get((row["zone"], hour), 0.0) + float(row["mw"])
    return sums


def test_pjm_dataminer__detected(settings):
    assert detect_format(DATAMINER) == "pjm"


def test_pjm_dataminer__load_areas_sum_to_the_zone(ohio, store):
    report = ingest_file(store, ohio, DATAMINER, now=NOW)
    assert report.balanced and report.rows_read == 30
    # 08:00 UTC hour: AEPKPT is empty, so AEP's sum would understate the zone: the hour is held back
    assert report.by_reason == {"missing_value": 1, "incomplete_parts": 3}
    assert report.accepted == 30 - 4
    aep = load_series(store, S.GRID_LOAD, ["us-ohio"])
    oracle = area_values()
    assert aep[S.TS].to_list() == [T0 + timedelta(hours=h) for h in (0, 1, 2, 4, 5)]
    assert aep[S.VALUE].to_list() == pytest.approx(
        [oracle[("AEP", (T0 + timedelta(hours=h)).hour)] for h in (0, 1, 2, 4, 5)]
    )
    reasons = store.read("quarantine").filter(pl.col("reason") == "incomplete_parts")
    assert sorted(reasons["raw"].str.json_decode().struct.field("load_area").to_list()) == [
        "AEPAPT", "AEPIMP", "AEPOPT"
    ]


def test_pjm_dataminer__utc_stamps_cover_the_repeated_local_hour(ohio, store):
    ingest_file(store, ohio, DATAMINER, now=NOW)
    dom = load_series(store, S.GRID_LOAD, ["us-nova"])
    # six consecutive UTC hours although the Eastern label 01:00 occurs twice
    assert dom[S.TS].to_list() == [T0 + timedelta(hours=h) for h in range(6)]


def test_pjm_dataminer__zone_without_a_region_is_quarantined_not_summed(settings, store):
    report = ingest_file(store, settings, DATAMINER, now=NOW)
    assert report.by_reason == {"unknown_region": 24}
    assert report.accepted == 6  # DOM -> us-nova


def test_pjm_dataminer__reingest_changes_nothing(ohio, store):
    ingest_file(store, ohio, DATAMINER, now=NOW)
    again = ingest_file(store, ohio, DATAMINER, now=NOW + timedelta(days=1))
    assert (again.unchanged, again.quarantined, again.observations_written) == (26, 4, 0)
