"""The `headroom_basis` table: which capacity basis each region's published headroom stands on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.flexibility import CAPACITY_SERIES
from pipelines.store import Store

TABLE = "headroom_basis"
BASIS = "basis"


def write_issue_bases(store: Store, issued_at: datetime, bases: Mapping[str, str]) -> None:
    """Record one issue's bases (before its forecasts: a retry may repeat rows, never lose them)."""
    if not bases:
        return
    store.append(TABLE, pl.DataFrame({
        S.REGION: list(bases), S.ISSUED_AT: [issued_at] * len(bases), BASIS: list(bases.values()),
    }))


def issue_bases(store: Store, issues: pl.DataFrame) -> dict[str, str]:
    """Basis per region of the given `region, issued_at` issues; issues published before the basis
    was recorded could only stand on a capacity series, so they read as `capacity_series`."""
    keys = issues.select(S.REGION, S.ISSUED_AT).unique()
    found = (
        store.scan(TABLE).join(keys.lazy(), on=[S.REGION, S.ISSUED_AT], how="semi")
        .group_by(S.REGION).agg(pl.col(BASIS).last()).collect()
    )
    known = dict(found.iter_rows())
    return {region: known.get(region, CAPACITY_SERIES) for region in keys[S.REGION].to_list()}
