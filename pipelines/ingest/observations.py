"""One ingest batch: adapter rows -> validation -> compare with the store -> one append per table.

Every row read ends in exactly one of: accepted (new key), updated (known key, new value:
appended with a later ingested_at, the old value stays in history), unchanged (not written),
quarantined (with its reason). The batch id is a digest of the input, so running the same
input again finds its quarantine rows already stored and writes nothing twice.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from pydantic import BaseModel, Field

from forecast import schema as S
from forecast.catalog import UnknownRegionError
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.sources import reader
from pipelines.sources.base import Adapted, SourceFormatError
from pipelines.sources.long import read_long
from pipelines.store import OBSERVATION_KEY, Store
from pipelines.validation import validate
from pipelines.validation.checks import FLATLINE_HOURS, N_ROWS, ROW, Neighbours
from pipelines.validation.hourly import HOUR_KEY, SERIES_KEY

KEY = list(OBSERVATION_KEY)
STATUS = "_status"
COMPARE_ROWS = 1_000_000  # hours compared with the store at a time


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
    note: str = Field("", description="Why a source was skipped (e.g. no API key configured).")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "batch_id": "3f2a9c0e1b7d4e55",
                    "source": "eia930:PJM-DOM.csv",
                    "rows_read": 26280,
                    "accepted": 26130,
                    "updated": 0,
                    "unchanged": 0,
                    "quarantined": 150,
                    "by_reason": {"missing_value": 144, "implausible_physical": 2, "flatline": 4},
                    "observations_written": 26130,
                    "quarantine_written": 150,
                    "ingested_at": "2024-05-01T12:00:00Z",
                }
            ]
        }
    }

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


def _typed_scan(store: Store, hours: pl.DataFrame) -> pl.LazyFrame:
    """Stored rows of the hours' regions and series, typed like the hours (enums: small keys)."""
    regions = hours[S.REGION].unique().cast(pl.String).to_list()
    series = hours[S.SERIES].unique().cast(pl.String).to_list()
    return (
        store.scan("observations")
        .filter(pl.col(S.REGION).is_in(regions) & pl.col(S.SERIES).is_in(series))
        .select(
            pl.col(S.REGION).cast(hours.schema[S.REGION]),
            pl.col(S.SERIES).cast(hours.schema[S.SERIES]),
            S.ISSUED_AT,
            S.TS,
            S.VALUE,
            S.INGESTED_AT,
        )
    )


def _latest(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The current value per key: the latest ingested wins (sorted, last of each key's run)."""
    keys = list(HOUR_KEY)
    last = pl.lit(True)
    for name in keys:
        last = last & pl.col(name).eq_missing(pl.col(name).shift(-1))
    return (
        rows.sort([*keys, S.INGESTED_AT], nulls_last=False)
        .filter(~last.fill_null(False))
        .select(*keys, S.VALUE)
    )


def series_ends(hours: pl.DataFrame) -> pl.DataFrame:
    """First and last hour (`_lo`, `_hi`) of each series; each series is one block in time order.

    Read off the blocks' first and last rows: no hashing of ten million keys.
    """
    same_prev, same_next = pl.lit(True), pl.lit(True)
    for name in SERIES_KEY:
        same_prev = same_prev & pl.col(name).eq_missing(pl.col(name).shift())
        same_next = same_next & pl.col(name).eq_missing(pl.col(name).shift(-1))
    keys = hours.select(*SERIES_KEY, S.TS)
    heads = keys.filter(~same_prev.fill_null(False)).rename({S.TS: "_lo"})
    tails = keys.filter(~same_next.fill_null(False)).select(pl.col(S.TS).alias("_hi"))
    return heads.hstack(tails)


def stored_neighbours(store: Store) -> Neighbours:
    """Validation's view of the store: the stored hours just outside each series' batch range.

    A flatline may continue from them (FLATLINE_HOURS - 1 hours either side). The scan streams
    through the stored rows against the (small) table of the batch's series ends.
    """

    def fetch(hours: pl.DataFrame) -> pl.DataFrame | None:
        if store.version("observations") is None:
            return None
        margin = pl.duration(hours=FLATLINE_HOURS - 1)
        ends = series_ends(hours)
        # The small table of ends on the left: the streamed join builds its hash table on it.
        near = (
            ends.lazy()
            .join(_typed_scan(store, hours), on=list(SERIES_KEY), nulls_equal=True)
            .filter(
                pl.col(S.TS).is_between(pl.col("_lo") - margin, pl.col("_lo"), closed="left")
                | pl.col(S.TS).is_between(pl.col("_hi"), pl.col("_hi") + margin, closed="right")
            )
        )
        return _latest(near).collect(engine="streaming")

    return fetch


def _history(store: Store, adapted: Adapted) -> pl.LazyFrame | None:
    """Stored values of the regions the batch can map to (they bound what is plausible)."""
    if store.version("observations") is None:
        return None
    regions = {*adapted.regions.mapping.values(), adapted.regions.override} - {None}
    return (
        store.scan("observations")
        .filter(pl.col(S.REGION).is_in(sorted(regions)))
        .select(S.REGION, S.SERIES, S.VALUE)
    )


def _status(hourly: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    old = stored.select(*KEY, pl.col(S.VALUE).alias("_old"))
    joined = hourly.join(old, on=KEY, how="left", nulls_equal=True)
    same = (pl.col(S.VALUE) - pl.col("_old")).abs() <= 1e-9 * pl.col("_old").abs().clip(1.0)
    status = (
        pl.when(pl.col("_old").is_null())
        .then(pl.lit("accepted"))
        .when(same)
        .then(pl.lit("unchanged"))
        .otherwise(pl.lit("updated"))
    )
    return joined.with_columns(status.alias(STATUS)).drop("_old")


def compare_with_store(store: Store, hourly: pl.DataFrame) -> tuple[dict[str, int], pl.DataFrame]:
    """(source rows per status, hours to write): new keys and changed values, not unchanged ones.

    The hours are sorted by key, so they are compared in slices of COMPARE_ROWS hours, each
    against the latest stored values of its own key range: memory stays bounded on re-ingests.
    """
    if store.version("observations") is None or hourly.is_empty():
        return {"accepted": int(hourly[N_ROWS].sum())}, hourly
    counts: dict[str, int] = {}
    new: list[pl.DataFrame] = []
    for offset in range(0, hourly.height, COMPARE_ROWS):
        part = hourly.slice(offset, COMPARE_ROWS)
        lo, hi = part.select(pl.col(S.TS).min().alias("lo"), pl.col(S.TS).max().alias("hi")).row(0)
        stored = _latest(_typed_scan(store, part).filter(pl.col(S.TS).is_between(lo, hi)))
        status = _status(part, stored.collect(engine="streaming"))
        for name, rows in status.group_by(STATUS).agg(pl.col(N_ROWS).sum()).iter_rows():
            counts[name] = counts.get(name, 0) + rows
        new.append(status.filter(pl.col(STATUS) != "unchanged").drop(STATUS))
    return counts, pl.concat(new)


def _new_quarantine(store: Store, rows: pl.DataFrame, batch: str) -> pl.DataFrame:
    """Quarantine rows of this batch not stored by an earlier (possibly interrupted) run."""
    if rows.is_empty() or store.version("quarantine") is None:
        return rows
    done = store.scan("quarantine").filter(pl.col("batch_id") == batch).select(ROW).collect()
    return rows.join(done, on=ROW, how="anti")


def ingest_adapted(store: Store, adapted: Adapted, batch: str, now: datetime | None = None) -> BatchReport:
    """Validate an adapter's rows, account for each one, and commit the batch."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    history, neighbours = _history(store, adapted), stored_neighbours(store)
    result = validate(adapted.frame, adapted.regions, history, neighbours)
    counts, new = compare_with_store(store, result.hourly)
    by_reason = dict(result.rejected.group_by("reason").len().sort("reason").iter_rows())
    stamp = pl.lit(now).cast(S.UTC_TS)
    new = new.with_columns(pl.lit(adapted.source).alias(S.SOURCE), stamp.alias(S.INGESTED_AT))
    quarantine = _new_quarantine(store, result.rejected, batch).with_columns(
        pl.lit(batch).alias("batch_id"),
        pl.lit(adapted.source).alias(S.SOURCE),
        stamp.alias(S.INGESTED_AT),
    )
    # Observations first: if the process dies before the quarantine commit, a re-run finds
    # the observations unchanged and writes only the missing quarantine rows.
    if new.height:
        store.append("observations", new)
    if quarantine.height:
        store.append("quarantine", quarantine)
    return BatchReport(
        batch_id=batch,
        source=adapted.source,
        rows_read=result.rows_read,
        accepted=counts.get("accepted", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0),
        quarantined=result.rejected.height,
        by_reason=by_reason,
        observations_written=new.height,
        quarantine_written=quarantine.height,
        ingested_at=now,
    )


def check_region(settings: Settings, region: str | None) -> dict:
    """The catalog, after checking that an override region is in it."""
    catalog = load_catalog(settings)
    if region is not None and region not in catalog:
        raise UnknownRegionError(region, catalog)
    return catalog


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def ingest_file(
    store: Store,
    settings: Settings,
    path: Path,
    fmt: str = "auto",
    region: str | None = None,
    series: str | None = None,
    now: datetime | None = None,
) -> BatchReport:
    """Ingest one file in a known format (`auto` detects it); the batch id is its digest."""
    catalog = check_region(settings, region)
    read = reader(fmt, path)
    try:
        if read is read_long:
            adapted = read(path, catalog, series=series, region=region)
        else:
            adapted = read(path, catalog, region=region)
        return ingest_adapted(
            store, adapted, batch_id(file_digest(path), fmt, region or "", series or ""), now
        )
    except pl.exceptions.PolarsError as exc:  # the file itself cannot be parsed: nothing was written
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceFormatError(path, f"a readable {fmt} file", f"{type(exc).__name__}: {first}") from exc


__all__ = [
    "BatchReport",
    "batch_id",
    "check_region",
    "ingest_adapted",
    "ingest_file",
]
