"""The Delta store: atomic versions, time travel, upserts, and object-store options passed through."""

from datetime import UTC, datetime

import polars as pl
import pytest

from forecast import schema as S
from pipelines import store as store_module
from pipelines.config.settings import Settings
from pipelines.store import Store, UnknownTableError, latest_observations, open_store

T = datetime(2026, 1, 1, tzinfo=UTC)


def _obs(value: float, ingested: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                S.REGION: "us-nova",
                S.SERIES: S.GRID_LOAD,
                S.TS: T,
                S.VALUE: value,
                S.UNIT: "MW",
                S.INGESTED_AT: datetime(2026, 1, 2, ingested, tzinfo=UTC),
            }
        ]
    )


def test_store__absent_table_reads_empty_with_its_schema(store):
    assert store.version("observations") is None
    assert store.read("observations").schema == pl.Schema(S.OBSERVATIONS)


def test_store__every_append_is_a_version_and_old_versions_stay_readable(store):
    assert store.append("observations", _obs(1.0, 1)) == 0
    assert store.append("observations", _obs(2.0, 2)) == 1
    assert store.read("observations", version=0)[S.VALUE].to_list() == [1.0]
    latest = latest_observations(store.scan("observations")).collect()
    assert latest[S.VALUE].to_list() == [2.0]


def test_store__upsert_updates_by_key(store):
    row = {S.REGION: "r", "request_id": "q1", "kind": "load", "mw": 10.0, "status": "active"}
    store.upsert("queue_requests", pl.DataFrame([row]), keys=(S.REGION, "request_id"))
    store.upsert("queue_requests", pl.DataFrame([{**row, "mw": 20.0}]), keys=(S.REGION, "request_id"))
    assert store.read("queue_requests")["mw"].to_list() == [20.0]


def test_store__unknown_table_names_the_known_ones(store):
    with pytest.raises(UnknownTableError, match="observations"):
        store.read("nope")


def test_open_store__object_store_uri_and_options_reach_deltalake(monkeypatch):
    seen = {}

    class FakeTable:
        def __init__(self, uri, version=None, storage_options=None):
            seen["uri"], seen["options"] = uri, storage_options

        def version(self):
            return 3

    def fake_write(frame, target, mode, storage_options=None, **kwargs):
        seen["write"] = (target, mode, storage_options)

    monkeypatch.setenv("HEADROOM_STORE_URI", "s3://grid-bucket/headroom")
    monkeypatch.setenv(
        "HEADROOM_STORAGE_OPTIONS", '{"AWS_REGION": "eu-north-1", "AWS_ENDPOINT_URL": "http://x"}'
    )
    monkeypatch.setattr(store_module, "DeltaTable", FakeTable)
    monkeypatch.setattr(pl.DataFrame, "write_delta", fake_write)
    store = open_store(Settings())
    assert store.append("runs", pl.DataFrame({"run_id": ["a"]})) == 3
    options = {"AWS_REGION": "eu-north-1", "AWS_ENDPOINT_URL": "http://x"}
    assert seen["write"] == ("s3://grid-bucket/headroom/runs", "append", options)
    assert seen["uri"] == "s3://grid-bucket/headroom/runs" and seen["options"] == options


def test_store__local_path_and_uri_forms_agree(tmp_path):
    assert Store(tmp_path).uri("runs") == Store(f"{tmp_path}/").uri("runs") == f"{tmp_path}/runs"
