"""Observations posted to the API (JSON records or NDJSON lines) in, through the same batch as files."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl

from forecast import schema as S
from forecast.errors import InvalidInputError
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.ingest.observations import BatchReport, batch_id, ingest_adapted
from pipelines.sources.long import adapt_long
from pipelines.store import Store

RECORD_FIELDS = (S.REGION, S.SERIES, S.TS, S.VALUE, S.UNIT, S.ISSUED_AT)


def records_frame(records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """API records as a long frame of text columns (validation reads the values)."""
    columns = {
        name: [None if r.get(name) is None else str(r.get(name)) for r in records] for name in RECORD_FIELDS
    }
    return pl.DataFrame(columns, schema={n: pl.String for n in RECORD_FIELDS})


def ingest_records(
    store: Store,
    settings: Settings,
    records: Sequence[Mapping[str, Any]],
    source: str,
    now: datetime | None = None,
) -> BatchReport:
    """Ingest observations posted to the API (`region, series, ts, value[, unit, issued_at]`)."""
    catalog = load_catalog(settings)
    frame = records_frame(records)
    adapted = adapt_long(frame.lazy(), catalog, "request body", source=f"api:{source}")
    body = json.dumps([{k: r.get(k) for k in RECORD_FIELDS} for r in records], default=str)
    return ingest_adapted(store, adapted, batch_id("api", source, body), now)


def parse_ndjson(data: bytes) -> list[dict[str, Any]]:
    """NDJSON (one observation object a line) as records; a bad line raises naming its number."""
    records = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"NDJSON line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise InvalidInputError(
                f"NDJSON line {number}: expected an object, found {type(record).__name__}"
            )
        records.append(record)
    return records
