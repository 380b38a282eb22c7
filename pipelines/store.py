"""Delta Lake tables under HEADROOM_HOME, read and written with polars; every write is one commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from forecast import schema as S
from pipelines.config.settings import Settings

OBSERVATION_KEY = (S.REGION, S.SERIES, S.TS, S.ISSUED_AT)


class UnknownTableError(KeyError):
    """A table name that the store does not define."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown table {name!r}; the store has {sorted(S.TABLES)}")


class Store:
    """The project's tables: observations, quarantine, queue_requests, forecasts, runs."""

    def __init__(self, root: str | Path, storage_options: Mapping[str, str] | None = None) -> None:
        self.root = str(root).rstrip("/")
        self.storage_options = dict(storage_options or {})

    def uri(self, table: str) -> str:
        """Location of one table (a folder, or an object-store prefix)."""
        if table not in S.TABLES:
            raise UnknownTableError(table)
        return f"{self.root}/{table}"

    def _table(self, table: str, version: int | None = None) -> DeltaTable | None:
        try:
            return DeltaTable(self.uri(table), version=version, storage_options=self.storage_options or None)
        except TableNotFoundError:
            return None

    def version(self, table: str) -> int | None:
        """Current version of a table, None when it does not exist yet."""
        dt = self._table(table)
        return None if dt is None else dt.version()

    def scan(self, table: str, version: int | None = None) -> pl.LazyFrame:
        """Lazy view of a table (at `version` when given); an absent table scans as empty."""
        if self._table(table) is None:
            return S.empty(S.TABLES[table]).lazy()
        return pl.scan_delta(self.uri(table), version=version, storage_options=self.storage_options or None)

    def read(self, table: str, version: int | None = None) -> pl.DataFrame:
        """A whole table as a frame."""
        return self.scan(table, version).collect()

    def append(self, table: str, frame: pl.DataFrame) -> int:
        """Append rows in one atomic commit; returns the new version."""
        rows = S.conform(frame, S.TABLES[table])
        rows.write_delta(self.uri(table), mode="append", storage_options=self.storage_options or None)
        return self.version(table) or 0

    def overwrite(self, table: str, frame: pl.DataFrame) -> int:
        """Replace a table's contents in one commit (history keeps the old version)."""
        rows = S.conform(frame, S.TABLES[table])
        rows.write_delta(
            self.uri(table),
            mode="overwrite",
            storage_options=self.storage_options or None,
            delta_write_options={"schema_mode": "overwrite"},
        )
        return self.version(table) or 0

    def upsert(self, table: str, frame: pl.DataFrame, keys: Sequence[str]) -> dict:
        """Insert or update rows by key in one atomic merge commit; returns deltalake's metrics."""
        rows = S.conform(frame, S.TABLES[table])
        if self._table(table) is None:
            self.append(table, rows)
            return {"num_target_rows_inserted": rows.height, "num_target_rows_updated": 0}
        predicate = " AND ".join(f"s.{k} = t.{k}" for k in keys)
        return (
            rows.write_delta(
                self.uri(table),
                mode="merge",
                storage_options=self.storage_options or None,
                delta_merge_options={
                    "predicate": predicate,
                    "source_alias": "s",
                    "target_alias": "t",
                },
            )
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute()
        )

    def delete(self, table: str, predicate: str) -> int:
        """Delete the rows matching a SQL `predicate` in one commit; returns the rows deleted."""
        dt = self._table(table)
        if dt is None:
            return 0
        return int(dt.delete(predicate).get("num_deleted_rows", 0))

    def compact(self, table: str, retention_hours: int = 168) -> dict:
        """Merge small files and remove files older than the retention that no version needs."""
        dt = self._table(table)
        if dt is None:
            return {}
        optimized = dt.optimize.compact()
        vacuumed = dt.vacuum(retention_hours=retention_hours, dry_run=False, enforce_retention_duration=False)
        return {"optimize": optimized, "vacuumed_files": len(vacuumed)}


def open_store(settings: Settings) -> Store:
    """The store the settings name, with their object-store options."""
    return Store(settings.tables, settings.storage_options)


def latest_observations(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """The current value per key: re-deliveries are appended, and the latest ingested wins."""
    lazy = frame.lazy()
    return lazy.sort(S.INGESTED_AT, nulls_last=False).unique(
        subset=list(OBSERVATION_KEY), keep="last", maintain_order=True
    )


def load_series(store: Store, series: str, regions: Sequence[str] | None = None) -> pl.DataFrame:
    """Current values of one series as a long frame `region, ts, value`, sorted."""
    lazy = store.scan("observations").filter(pl.col(S.SERIES) == series)
    if regions is not None:
        lazy = lazy.filter(pl.col(S.REGION).is_in(list(regions)))
    return latest_observations(lazy).select(S.REGION, S.TS, S.VALUE).sort(S.REGION, S.TS).collect()
