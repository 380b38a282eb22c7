"""Ingest batches: accounting, idempotence, history of re-deliveries, API records, atomic re-runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from forecast import schema as S
from pipelines.ingest.observations import BatchReport, ingest_file
from pipelines.ingest.records import ingest_records, parse_ndjson
from pipelines.store import Store, load_series

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def long_csv(path: Path, values: list[str], region: str = "de-fra", start: datetime = T0) -> Path:
    ts = [(start + timedelta(hours=i)).isoformat() for i in range(len(values))]
    pl.DataFrame({"region": region, "series": "grid_load", "ts": ts, "value": values}).write_csv(path)
    return path


def test_ingest__reingest_changes_nothing(settings, store, tmp_path):
    path = long_csv(tmp_path / "a.csv", [str(1000 + i) for i in range(48)] + ["oops"])
    first = ingest_file(store, settings, path, now=NOW)
    version = store.version("observations"), store.version("quarantine")
    again = ingest_file(store, settings, path, now=NOW + timedelta(hours=1))
    assert (first.accepted, first.quarantined) == (48, 1)
    assert (again.accepted, again.unchanged, again.quarantined) == (0, 48, 1)
    assert again.observations_written == 0 and again.quarantine_written == 0
    assert (store.version("observations"), store.version("quarantine")) == version


def test_ingest__redelivery_appends_and_keeps_the_old_value_in_history(settings, store, tmp_path):
    ingest_file(store, settings, long_csv(tmp_path / "a.csv", ["100", "200"]), now=NOW)
    report = ingest_file(store, settings, long_csv(tmp_path / "b.csv", ["100", "250"]),
                         now=NOW + timedelta(days=1))
    assert (report.accepted, report.updated, report.unchanged) == (0, 1, 1)
    assert load_series(store, S.GRID_LOAD)[S.VALUE].to_list() == [100.0, 250.0]
    history = store.read("observations").filter(pl.col(S.TS) == T0 + timedelta(hours=1))
    assert sorted(history[S.VALUE].to_list()) == [200.0, 250.0]


def test_ingest__quarantine_carries_batch_row_raw_and_reason(settings, store, tmp_path):
    report = ingest_file(store, settings, long_csv(tmp_path / "a.csv", ["1", "-4"]), now=NOW)
    row = store.read("quarantine").row(0, named=True)
    assert row["batch_id"] == report.batch_id and row["row"] == 2
    assert row["reason"] == "negative" and row["field"] == S.VALUE
    assert json.loads(row["raw"])["value"] == "-4"


def test_ingest__unknown_region_is_quarantined_or_mapped_with_region_option(settings, store, tmp_path):
    path = long_csv(tmp_path / "a.csv", ["5", "6"], region="my-site")
    assert ingest_file(store, settings, path, now=NOW).by_reason == {"unknown_region": 2}
    mapped = ingest_file(store, settings, path, region="us-wtx", now=NOW)
    assert mapped.accepted == 2


def test_ingest__an_interrupted_batch_completes_when_run_again(settings, store, tmp_path, monkeypatch):
    path = long_csv(tmp_path / "a.csv", ["1", "x", "3"])
    real_append = Store.append

    def crash_on_quarantine(self, table, frame):
        if table == "quarantine":
            raise KeyboardInterrupt("killed")
        return real_append(self, table, frame)

    monkeypatch.setattr(Store, "append", crash_on_quarantine)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(store, settings, path, now=NOW)
    monkeypatch.setattr(Store, "append", real_append)
    assert store.read("observations").height == 2 and store.version("quarantine") is None
    report = ingest_file(store, settings, path, now=NOW)
    assert (report.unchanged, report.quarantine_written) == (2, 1)
    assert store.read("quarantine").height == 1


def test_ingest__nixtla_layout_needs_series(settings, store, tmp_path):
    path = tmp_path / "n.parquet"
    pl.DataFrame({"unique_id": ["us-nova"] * 3, "ds": [T0 + timedelta(hours=i) for i in range(3)],
                  "y": [1.0, 2.0, 3.0]}).write_parquet(path)
    with pytest.raises(ValueError, match="series column, or --series"):
        ingest_file(store, settings, path, now=NOW)
    assert ingest_file(store, settings, path, series=S.CAPACITY, now=NOW).accepted == 3


def test_ingest_records__api_body_and_ndjson(settings, store):
    body = (
        b'{"region": "us-nova", "series": "grid_load", "ts": "2024-01-01T00:00:00Z", "value": 5,'
        b' "unit": "GW"}\n\n{"region": "us-nova", "series": "grid_load",'
        b' "ts": "2024-01-01T01:00:00+00:00", "value": "n/e"}\n'
    )
    records = parse_ndjson(body)
    report = ingest_records(store, settings, records, source="key-1", now=NOW)
    assert (report.accepted, report.quarantined) == (1, 1)
    assert load_series(store, S.GRID_LOAD)[S.VALUE].to_list() == [5000.0]
    assert BatchReport.model_validate_json(report.model_dump_json()) == report


def test_parse_ndjson__bad_line_is_named():
    with pytest.raises(ValueError, match="line 2"):
        parse_ndjson(b'{"a": 1}\n{oops\n')


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.integers(-50, 5000).map(str), st.sampled_from(["", "x", "NaN", "7"])),
                min_size=1, max_size=40),
       st.lists(st.integers(0, 39), max_size=10))
def test_ingest__every_row_read_is_accounted_for(tmp_path_factory, values, repeats):
    from pipelines.config.settings import Settings

    home = tmp_path_factory.mktemp("prop")
    settings = Settings(home=home)
    store = Store(settings.tables)
    rows = [*values, *[values[i % len(values)] for i in repeats]]
    hours = [*range(len(values)), *[i % len(values) for i in repeats]]
    path = home / "p.csv"
    pl.DataFrame({"region": "de-fra", "series": "grid_load",
                  "ts": [(T0 + timedelta(hours=h)).isoformat() for h in hours],
                  "value": rows}).write_csv(path)
    for _ in range(2):
        report = ingest_file(store, settings, path, now=NOW)
        assert report.balanced and report.rows_read == len(rows)
        assert sum(report.by_reason.values()) == report.quarantined


def test_ingest__flatline_continues_across_the_stored_history(settings, store, tmp_path):
    ingest_file(store, settings, long_csv(tmp_path / "a.csv", ["5", "7", "7", "7", "7"]), now=NOW)
    later = T0 + timedelta(hours=5)
    report = ingest_file(store, settings, long_csv(tmp_path / "b.csv", ["7", "7", "8"], start=later),
                         now=NOW + timedelta(hours=1))
    assert report.by_reason == {"flatline": 2}  # 4 stored hours of 7, then 2 more: a 6-hour run
    assert load_series(store, S.GRID_LOAD)[S.VALUE].to_list() == [5.0, 7.0, 7.0, 7.0, 7.0, 8.0]


def test_ingest__flatline_continues_into_stored_hours_after_a_backfill(settings, store, tmp_path):
    ingest_file(store, settings, long_csv(tmp_path / "a.csv", ["7"] * 5, start=T0 + timedelta(hours=3)),
                now=NOW)
    report = ingest_file(store, settings, long_csv(tmp_path / "b.csv", ["6", "7", "7"]),
                         now=NOW + timedelta(hours=1))
    assert report.by_reason == {"flatline": 2} and report.accepted == 1
