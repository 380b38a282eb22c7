"""Table upkeep: streaming ingest leaves many small files; compaction merges them, vacuum frees."""

from __future__ import annotations

from forecast import schema as S
from pipelines.store import Store


def compact_tables(store: Store, retention_hours: int = 168) -> dict[str, dict]:
    """Compact and vacuum every table that exists; returns deltalake's figures per table.

    Versions younger than `retention_hours` stay readable (time travel, backtests naming a
    version); older unreferenced files are deleted.
    """
    return {
        table: store.compact(table, retention_hours)
        for table in S.TABLES
        if store.version(table) is not None
    }
