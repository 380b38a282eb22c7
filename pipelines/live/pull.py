"""`pull_live_sources`: the ingest job's live pulls (EIA API v2, ENTSO-E), each one validated batch.

Each source starts one hour after the last stored hour of each region and series, so a second
pull fetches only new hours. A source without a key is skipped, and its report says so. A
source that fails does not stop the others; after all ran, the failures are raised together.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.ingest.observations import BatchReport, batch_id, ingest_adapted
from pipelines.live.eia import EIA_BASE_URL, eia_queries, fetch_eia
from pipelines.live.entsoe import ENTSOE_BASE_URL, MAX_WINDOW, entsoe_queries, fetch_entsoe
from pipelines.live.http import LiveSourceError, Retry
from pipelines.store import Store

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)
TIMEOUT_SECONDS = 30.0


class LivePullError(UserError, RuntimeError):
    """One or more live sources failed; `reports` holds the batches that did commit."""

    def __init__(self, errors: list[LiveSourceError], reports: list[BatchReport]) -> None:
        self.errors, self.reports = errors, reports
        super().__init__("; ".join(str(e) for e in errors))


def stored_ends(store: Store) -> dict[tuple[str, str], datetime]:
    """Last stored hour per (region, series)."""
    if store.version("observations") is None:
        return {}
    ends = store.scan("observations").group_by(S.REGION, S.SERIES).agg(pl.col(S.TS).max())
    ends = ends.collect(engine="streaming")
    return {(r, s): ts for r, s, ts in ends.iter_rows()}


def _skipped(source: str, setting: str, now: datetime) -> BatchReport:
    log.info("%s skipped: no key configured (set %s)", source, setting)
    return BatchReport(batch_id="", source=source, rows_read=0, ingested_at=now,
                       note=f"skipped: no key configured (set {setting})")


def pull_live_sources(
    store: Store, settings: Settings, now: datetime, *, eia_key: str | None = None,
    entsoe_token: str | None = None, eia_base_url: str = EIA_BASE_URL,
    entsoe_base_url: str = ENTSOE_BASE_URL, lookback: timedelta = LOOKBACK,
    retry: Retry | None = None, entsoe_window: timedelta = MAX_WINDOW,
    timeout: float = TIMEOUT_SECONDS, transport: httpx.BaseTransport | None = None,
) -> list[BatchReport]:
    """Pull new hours from each configured live source and ingest them; one report per source.

    Raises LivePullError (listing every failed source, keys never shown) after the other
    sources have been ingested.
    """
    now = now.astimezone(UTC)
    retry = retry or Retry()
    catalog = load_catalog(settings)
    ends = stored_ends(store)
    reports: list[BatchReport] = []
    errors: list[LiveSourceError] = []
    with httpx.Client(timeout=timeout, transport=transport, follow_redirects=True) as client:
        if not eia_key:
            reports.append(_skipped("eia-api", "HEADROOM_EIA_API_KEY", now))
        else:
            try:
                queries = eia_queries(catalog, ends, now, lookback)
                adapted, digest = fetch_eia(client, eia_base_url, eia_key, queries, catalog, retry)
                reports.append(ingest_adapted(store, adapted, batch_id("eia-api", digest), now))
            except LiveSourceError as exc:
                errors.append(exc)
        if not entsoe_token:
            reports.append(_skipped("entsoe-api", "HEADROOM_ENTSOE_TOKEN", now))
        else:
            try:
                queries = entsoe_queries(catalog, ends, now, lookback, entsoe_window)
                adapted, digest = fetch_entsoe(
                    client, entsoe_base_url, entsoe_token, queries, catalog, retry
                )
                reports.append(ingest_adapted(store, adapted, batch_id("entsoe-api", digest), now))
            except LiveSourceError as exc:
                errors.append(exc)
    if errors:
        raise LivePullError(errors, reports)
    return reports
