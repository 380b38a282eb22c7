from datetime import date
from pathlib import Path

import polars as pl
import pytest

from forecast import schema as S
from forecast.catalog import Region
from pipelines.sources.queues import (
    UnknownQueueLayoutError,
    detect_layout,
    finish,
    read_queue_file,
    stage_gridstatus,
    stage_lbnl,
    stage_miso,
    stage_normalized,
)

SAMPLE = (
    Path(__file__).resolve().parents[3] / "data" / "samples" / "queues" / "pjm_planning_queue_dominion.csv"
)
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "raw" / "queues"
CATALOG = {
    "us-nova": Region(
        id="us-nova",
        name="NoVA",
        timezone="America/New_York",
        holidays="US",
        queue_years=(3, 5),
        energy_source="gas",
        rack_kw=(40, 60),
        sources={"pjm_transmission_owner": "Dominion"},
    ),
    "us-wtx": Region(
        id="us-wtx",
        name="WTX",
        timezone="America/Chicago",
        holidays="US",
        queue_years=(1, 2),
        energy_source="wind",
        rack_kw=(60, 90),
        sources={"ercot_weather_zone": "FWEST"},
    ),
}


def test_pjm_sample__dominion_rows_map_to_us_nova_and_every_row_is_accounted_for():
    batch = read_queue_file(SAMPLE, CATALOG)
    assert batch.requests.height + batch.rejected.height == pl.read_csv(SAMPLE, infer_schema_length=0).height
    assert batch.requests[S.REGION].unique().to_list() == ["us-nova"]
    assert set(batch.requests["status"]) == {"active", "in_service", "withdrawn"}
    assert set(batch.rejected["reason"]) <= {
        "transmission_service_request",
        "withdrawn_without_date",
        "missing_or_non_positive_mw",
        "in_service_without_date",
        "outcome_before_request",
    }
    assert batch.requests.schema == pl.Schema(S.QUEUE_REQUESTS)


def test_pjm_sample__outcome_dates_match_the_status():
    r = read_queue_file(SAMPLE, CATALOG).requests
    assert r.filter(pl.col("status") == "in_service")["in_service_on"].null_count() == 0
    assert r.filter(pl.col("status") == "active").select(pl.col("in_service_on").is_null().all()).item()
    assert r.filter(pl.col("in_service_on") < pl.col("requested_on")).height == 0


def test_finish__rejects_rows_it_cannot_place_in_time_with_reasons():
    lbnl = pl.DataFrame(
        {
            "q_id": ["1", "2", "3", "4"],
            "q_status": ["operational", "withdrawn", "active", "operational"],
            "q_date": ["2015-01-01", "2016-01-01", None, "44000"],
            "on_date": ["2018-01-01", None, None, "45000"],
            "wd_date": [None, None, None, None],
            "region": ["PJM", "PJM", "PJM", "ERCOT"],
            "utility": ["Dominion", "AEP", "AEP", "x"],
            "mw1": ["100", "50", "20", "10"],
            "type_clean": ["Gas"] * 4,
        }
    )
    batch = finish(stage_lbnl(lbnl), CATALOG, "lbnl:test")
    assert batch.requests["request_id"].to_list() == ["1", "4"]
    assert batch.requests[S.REGION].to_list() == ["us-nova", "ercot"]
    assert batch.requests["requested_on"][1] == date(2020, 6, 18)  # Excel serial 44000
    assert dict(zip(batch.rejected["reason"], batch.rejected["field"], strict=True)) == {
        "withdrawn_without_date": "withdrawn_on",
        "missing_request_date": "requested_on",
    }


def test_gridstatus_and_normalized_layouts_read_the_same_request_alike():
    grid = pl.DataFrame(
        {
            "Queue ID": ["A1"],
            "Status": ["Completed"],
            "Queue Date": ["2019-03-01"],
            "Withdrawn Date": [None],
            "Actual Completion Date": ["2022-03-01"],
            "Capacity (MW)": ["120"],
            "Transmission Owner": ["Dominion"],
            "Generation Type": ["Solar"],
        }
    )
    norm = pl.DataFrame(
        {
            "iso": ["PJM"],
            "project_id": ["A1"],
            "zone_or_to": ["Dominion"],
            "project_type": ["Solar"],
            "mw": ["120"],
            "status_raw": ["In Service"],
            "status": ["in_service"],
            "request_date": ["2019-03-01"],
            "withdrawn_date": [None],
            "in_service_date": ["2022-03-01"],
        }
    )
    a = finish(stage_gridstatus(grid, "pjm"), CATALOG, "s").requests
    b = finish(stage_normalized(norm), CATALOG, "s").requests
    assert a.drop(S.SOURCE).equals(b.drop(S.SOURCE))
    assert a[S.REGION][0] == "us-nova"


def test_miso__withdrawn_after_agreement_counts_as_withdrawn():
    miso = pl.DataFrame(
        {
            "Project #": ["J1"],
            "Request Status": ["Done"],
            "Post GIA Status": ["Withdrawn"],
            "Queue Date": ["2018-03-12T04:00:00+00:00"],
            "Withdrawn Date": ["2021-03-09T05:00:00+00:00"],
            "Negotiated In Service Date": [None],
            "Transmission Owner": ["ATC"],
            "Fuel": ["Solar"],
            "Summer MW": ["50"],
        }
    )
    r = finish(stage_miso(miso), CATALOG, "s").requests.row(0, named=True)
    assert (r["status"], r[S.REGION], r["withdrawn_on"]) == ("withdrawn", "miso", date(2021, 3, 9))


def test_detect_layout__unknown_columns_say_what_was_found(tmp_path):
    path = tmp_path / "x.csv"
    pl.DataFrame({"foo": [1]}).write_csv(path)
    with pytest.raises(UnknownQueueLayoutError, match="foo"):
        detect_layout(path)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name, layout",
    [
        ("skasarab1_2025research/PJM_PlanningQueues.xlsx", "pjm"),
        ("skasarab1_2025research/MISO_GI_Interactive_Queue.csv", "miso"),
        ("ercot_gis_report/ERCOT_GIS_Report_2026-01.xlsx", "ercot"),
        ("normalized/queues_normalized.csv", "normalized"),
    ],
)
def test_real_queue_files__ingest_with_most_rows_kept(name, layout):
    if not SHARED.is_dir():
        pytest.skip(f"full real data not present at {SHARED}")
    path = SHARED / name
    assert detect_layout(path) == layout
    batch = read_queue_file(path, CATALOG)
    assert batch.requests.height > 1000
    assert batch.requests.height > 2 * batch.rejected.height
