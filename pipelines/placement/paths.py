"""The `headroom_paths` table: joint hourly headroom paths kept with each published issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from pipelines.store import Store

TABLE = "headroom_paths"


class PathsNotPublishedError(UserError, LookupError):
    """No published issue keeps headroom paths yet (HTTP 503: wait for, or run, a publish)."""

    def __init__(self) -> None:
        super().__init__(
            "no forecast issue with headroom paths has been published yet; run `headroom train` "
            "(or wait for the next scheduled refresh)"
        )


def _sql(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def write_issue_paths(store: Store, paths: pl.DataFrame, issued_at: datetime, regions: list[str]) -> None:
    """Append one issue's paths for `regions`, first removing any a crashed attempt of it left.

    Called before the issue's forecasts are appended: paths are read only for an issue whose
    forecasts exist, so an attempt killed between the two appends leaves rows nobody reads, and
    its retry replaces them here.
    """
    mine = (pl.col(S.ISSUED_AT) == issued_at) & pl.col(S.REGION).is_in(regions)
    if store.scan(TABLE).filter(mine).select(pl.len()).collect().item():
        listed = ", ".join(_sql(r) for r in regions)
        store.delete(TABLE, f"{S.ISSUED_AT} = '{issued_at.isoformat()}' AND {S.REGION} IN ({listed})")
    store.append(TABLE, paths)


@dataclass(frozen=True)
class IssuePaths:
    """The latest published issue's paths per region, and which issue and model each came from."""

    frame: pl.DataFrame  # region, sample, ts, value
    issues: pl.DataFrame  # region, issued_at, model_version
    without_paths: tuple[str, ...]  # regions whose latest issue kept no paths


def latest_issue_keys(store: Store) -> pl.DataFrame:
    """`region, issued_at, model_version` of each region's latest published headroom forecast."""
    return (
        store.scan("forecasts")
        .filter(pl.col(S.TARGET) == S.HEADROOM)
        .group_by(S.REGION)
        .agg(pl.col(S.ISSUED_AT).max(), pl.col(S.MODEL_VERSION).sort_by(S.ISSUED_AT).last())
        .sort(S.REGION)
        .collect()
    )


def read_latest_paths(store: Store) -> IssuePaths:
    """The paths of each region's latest published issue; PathsNotPublishedError when none has any."""
    keys = latest_issue_keys(store)
    issued = keys[S.ISSUED_AT].unique().to_list()
    # The issued_at predicate is pushed into the Delta scan (files of older issues are skipped);
    # the cube needs no order, so the 10^7-row sort by region is left out.
    rows = (
        store.scan(TABLE)
        .filter(pl.col(S.ISSUED_AT).is_in(issued))
        .join(keys.lazy(), on=[S.REGION, S.ISSUED_AT], how="semi")
        .select(S.REGION, S.SAMPLE, S.TS, S.VALUE)
        .collect()
    )
    if rows.is_empty():
        raise PathsNotPublishedError()
    have = set(rows[S.REGION].unique().to_list())
    issues = keys.filter(pl.col(S.REGION).is_in(sorted(have)))
    without = sorted(set(keys[S.REGION].to_list()) - have)
    return IssuePaths(frame=rows, issues=issues.sort(S.REGION), without_paths=tuple(without))


def prune_paths(store: Store, keep: int = 3) -> int:
    """Delete paths of all but each region's `keep` latest issues; returns the rows deleted.

    Old paths are never read by placement (it answers from the latest issue); vacuum (`compact`)
    then frees their files once the retention has passed.
    """
    issued = (
        store.scan(TABLE).select(S.REGION, S.ISSUED_AT).unique().collect()
        .with_columns(pl.col(S.ISSUED_AT).rank("dense", descending=True).over(S.REGION).alias("age"))
    )
    old = issued.filter(pl.col("age") > keep)
    if old.is_empty():
        return 0
    # Regions of one issue share their cutoff: one delete (one commit) per distinct cutoff.
    cutoffs = old.group_by(S.REGION).agg(pl.col(S.ISSUED_AT).max()).group_by(S.ISSUED_AT).agg(S.REGION)
    deleted = 0
    for latest_old, regions in cutoffs.sort(S.ISSUED_AT).iter_rows():
        listed = ", ".join(_sql(r) for r in sorted(regions))
        predicate = f"{S.REGION} IN ({listed}) AND {S.ISSUED_AT} <= '{latest_old.isoformat()}'"
        deleted += store.delete(TABLE, predicate)
    return deleted
