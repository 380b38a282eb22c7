"""Queue files in: interconnection requests upserted, rejected rows quarantined once per file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from forecast import schema as S
from pipelines.config import Settings
from pipelines.config.region_files import load_catalog
from pipelines.ingest.observations import batch_id, file_digest
from pipelines.sources.queues import read_queue_file
from pipelines.store import Store
from pipelines.validation.checks import ROW


def ingest_queue_file(
    store: Store,
    settings: Settings,
    path: Path,
    layout: str | None = None,
    iso: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Read a queue file, upsert its requests and quarantine its rejected rows; returns counts.

    The batch id is the file's digest (with the layout and ISO asked for), so ingesting the same
    file again upserts the same requests and writes no quarantine row twice.
    """
    path = Path(path)
    batch = read_queue_file(path, load_catalog(settings), layout, iso)
    if batch.requests.height:
        store.upsert("queue_requests", batch.requests, keys=(S.REGION, "request_id"))
    batch_key = batch_id(file_digest(path), "queue", layout or "", iso or "")
    rejected = batch.rejected
    if rejected.height and store.version("quarantine") is not None:
        done = store.scan("quarantine").filter(pl.col("batch_id") == batch_key).select(ROW).collect()
        rejected = rejected.join(done, on=ROW, how="anti")
    if rejected.height:
        stamp = (now or datetime.now(UTC)).astimezone(UTC)
        store.append(
            "quarantine",
            rejected.with_columns(
                pl.lit(batch_key).alias("batch_id"),
                pl.lit(batch.source).alias(S.SOURCE),
                pl.lit(stamp).cast(S.UTC_TS).alias(S.INGESTED_AT),
            ),
        )
    reasons = dict(batch.rejected.group_by("reason").len().iter_rows()) if batch.rejected.height else {}
    return {
        "source": batch.source,
        "stored": batch.requests.height,
        "rejected": batch.rejected.height,
        "rejected_by_reason": reasons,
    }
