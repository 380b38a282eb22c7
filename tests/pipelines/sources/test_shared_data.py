"""Every real file in ../shared/data ingests with every row accounted for (CI has the files)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.ingest.observations import ingest_file

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
GLOBS = ("raw/eia930/*/*.csv", "raw/entsoe/*.csv", "raw/pjm/*.csv", "raw/ercot/*.xlsx",
         "raw/nordpool/*.xls", "long/*.csv")
FILES = sorted(p for g in GLOBS for p in SHARED.glob(g)) if SHARED.is_dir() else []


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"full real data not present at {SHARED}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shared_file__every_row_accepted_or_quarantined_with_a_reason(settings, store, path):
    report = ingest_file(store, settings, path, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert report.balanced and report.rows_read > 0
    assert sum(report.by_reason.values()) == report.quarantined
    again = ingest_file(store, settings, path, now=datetime(2026, 1, 2, tzinfo=UTC))
    assert again.accepted == again.updated == again.observations_written == 0
