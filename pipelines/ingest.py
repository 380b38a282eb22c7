"""One ingest batch: adapter rows -> validation -> compare with the store -> one append per table.

Every row read ends in exactly one of: accepted (new key), updated (known key, new value:
appended with a later ingested_at, the old value stays in history), unchanged (not written),
quarantined (with its reason). The batch id is a digest of the input, so running the same
input again finds its quarantine rows already stored and writes nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from pipelines.catalog import load_catalog
from pipelines.config import Settings
from pipelines.sources import reader
from pipelines.sources.base import Adapted
from pipelines.sources.long import adapt_long, read_long, read_ndjson_bytes
from pipelines.store import OBSERVATION_KEY, Store, latest_observations
from pipelines.validation import validate
from pipelines.validation.checks import N_ROWS, ROW

KEY = list(OBSERVATION_KEY)
STATUS = "_status"
RECORD_FIELDS = (S.REGION, S.SERIES, S.TS, S.VALUE, S.UNIT, S.ISSUED_AT)


class BatchReport(BaseModel):
    """What one batch did; accepted + updated + unchanged + quarantined == rows_read."""

    batch_id: str = Field(description="Digest of the input; the same input has the same id.")
    source: str = Field(description="Adapter and file (or API caller) the rows came from.")
    rows_read: int = Field(description="Values read from the input.")
    accepted: int = Field(0, description="Rows of keys not stored before.")
    updated: int = Field(0, description="Rows that changed a stored value (old value kept in history).")
    unchanged: int = Field(0, description="Rows equal to the stored value (not written again).")
    quarantined: int = Field(0, description="Rows rejected, each stored in quarantine with a reason.")
    by_reason: dict[str, int] = Field(default_factory=dict, description="Quarantined rows per reason.")
    observations_written: int = Field(0, description="Hourly rows appended to observations.")
    quarantine_written: int = Field(0, description="Rows appended to quarantine by this run.")
    ingested_at: datetime = Field(description="Time stamp of the rows written (UTC).")

    model_config = {"json_schema_extra": {"examples": [{
        "batch_id": "3f2a9c0e1b7d4e55", "source": "eia930:PJM-DOM.csv", "rows_read": 26280,
        "accepted": 26130, "updated": 0, "unchanged": 0, "quarantined": 150,
        "by_reason": {"missing_value": 144, "implausible_physical": 2, "flatline": 4},
        "observations_written": 26130, "quarantine_written": 150,
        "ingested_at": "2024-05-01T12:00:00Z",
    }]}}

    @property
    def balanced(self) -> bool:
        """True when every row read is accounted for."""
        return self.accepted + self.updated + self.unchanged + self.quarantined == self.rows_read


def batch_id(*parts: bytes | str) -> str:
    """Stable id of an input: a digest of its bytes and of how it was read."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def _stored(store: Store, hourly: pl.DataFrame) -> pl.LazyFrame | None:
    """Latest stored value of the batch's keys (None when nothing is stored)."""
    if store.version("observations") is None or hourly.is_empty():
        return None
    bounds = hourly.select(pl.col(S.TS).min().alias("lo"), pl.col(S.TS).max().alias("hi")).row(0)
    scan = store.scan("observations").filter(
        pl.col(S.REGION).is_in(hourly[S.REGION].unique().to_list())
        & pl.col(S.SERIES).is_in(hourly[S.SERIES].unique().to_list())
        & pl.col(S.TS).is_between(*bounds)
    )
    return latest_observations(scan).select(*KEY, pl.col(S.VALUE).alias("_old"))


def _history(store: Store, adapted: Adapted) -> pl.LazyFrame | None:
    """Stored values of the regions the batch can map to (they bound what is plausible)."""
    if store.version("observations") is None:
        return None
    regions = {*adapted.regions.mapping.values(), adapted.regions.override} - {None}
    return store.scan("observations").filter(pl.col(S.REGION).is_in(sorted(regions))).select(
        S.REGION, S.SERIES, S.VALUE
    )


def _status(hourly: pl.DataFrame, stored: pl.LazyFrame | None) -> pl.DataFrame:
    if stored is None:
        return hourly.with_columns(pl.lit("accepted").alias(STATUS))
    joined = hourly.join(stored.collect(), on=KEY, how="left", nulls_equal=True)
    same = (pl.col(S.VALUE) - pl.col("_old")).abs() <= 1e-9 * pl.col("_old").abs().clip(1.0)
    status = (
        pl.when(pl.col("_old").is_null()).then(pl.lit("accepted"))
        .when(same).then(pl.lit("unchanged"))
        .otherwise(pl.lit("updated"))
    )
    return joined.with_columns(status.alias(STATUS)).drop("_old")


def _new_quarantine(store: Store, rows: pl.DataFrame, batch: str) -> pl.DataFrame:
    """Quarantine rows of this batch not stored by an earlier (possibly interrupted) run."""
    if rows.is_empty() or store.version("quarantine") is None:
        return rows
    done = store.scan("quarantine").filter(pl.col("batch_id") == batch).select(ROW).collect()
    return rows.join(done, on=ROW, how="anti")


def ingest_adapted(
    store: Store, adapted: Adapted, batch: str, now: datetime | None = None
) -> BatchReport:
    """Validate an adapter's rows, account for each one, and commit the batch."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    result = validate(adapted.frame, adapted.regions, _history(store, adapted))
    hourly = _status(result.hourly, _stored(store, result.hourly))
    counts = dict(
        hourly.group_by(STATUS).agg(pl.col(N_ROWS).sum()).iter_rows()
    )
    by_reason = dict(result.rejected.group_by("reason").len().sort("reason").iter_rows())
    stamp = pl.lit(now).cast(S.UTC_TS)
    new = hourly.filter(pl.col(STATUS) != "unchanged").with_columns(
        pl.lit(adapted.source).alias(S.SOURCE), stamp.alias(S.INGESTED_AT)
    )
    quarantine = _new_quarantine(store, result.rejected, batch).with_columns(
        pl.lit(batch).alias("batch_id"), pl.lit(adapted.source).alias(S.SOURCE),
        stamp.alias(S.INGESTED_AT),
    )
    # Observations first: if the process dies before the quarantine commit, a re-run finds
    # the observations unchanged and writes only the missing quarantine rows.
    if new.height:
        store.append("observations", new)
    if quarantine.height:
        store.append("quarantine", quarantine)
    return BatchReport(
        batch_id=batch, source=adapted.source, rows_read=result.rows_read,
        accepted=counts.get("accepted", 0), updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0), quarantined=result.rejected.height,
        by_reason=by_reason, observations_written=new.height,
        quarantine_written=quarantine.height, ingested_at=now,
    )


def check_region(settings: Settings, region: str | None) -> dict:
    """The catalog, after checking that an override region is in it."""
    catalog = load_catalog(settings)
    if region is not None and region not in catalog:
        raise UnknownRegionError(region, catalog)
    return catalog


def records_frame(records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """API records as a long frame of text columns (validation reads the values)."""
    columns = {
        name: [None if r.get(name) is None else str(r.get(name)) for r in records]
        for name in RECORD_FIELDS
    }
    return pl.DataFrame(columns, schema={n: pl.String for n in RECORD_FIELDS})


def ingest_records(
    store: Store, settings: Settings, records: Sequence[Mapping[str, Any]], source: str,
    now: datetime | None = None,
) -> BatchReport:
    """Ingest observations posted to the API (`region, series, ts, value[, unit, issued_at]`)."""
    catalog = load_catalog(settings)
    frame = records_frame(records)
    adapted = adapt_long(frame.lazy(), catalog, "request body", source=f"api:{source}")
    body = json.dumps([{k: r.get(k) for k in RECORD_FIELDS} for r in records], default=str)
    return ingest_adapted(store, adapted, batch_id("api", source, body), now)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def ingest_file(
    store: Store, settings: Settings, path: Path, fmt: str = "auto", region: str | None = None,
    series: str | None = None, now: datetime | None = None,
) -> BatchReport:
    """Ingest one file in a known format (`auto` detects it); the batch id is its digest."""
    catalog = check_region(settings, region)
    read = reader(fmt, path)
    if read is read_long:
        adapted = read(path, catalog, series=series, region=region)
    else:
        adapted = read(path, catalog, region=region)
    return ingest_adapted(
        store, adapted, batch_id(file_digest(path), fmt, region or "", series or ""), now
    )


def parse_ndjson(data: bytes) -> list[dict[str, Any]]:
    """NDJSON (one observation object a line) as records; a bad line raises naming its number."""
    records = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"NDJSON line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"NDJSON line {number}: expected an object, found {type(record).__name__}")
        records.append(record)
    return records


__all__ = [
    "BatchReport", "batch_id", "check_region", "ingest_adapted", "ingest_file", "ingest_records",
    "parse_ndjson", "read_ndjson_bytes",
]
