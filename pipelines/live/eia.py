"""Live EIA API v2 pulls: hourly demand and day-ahead demand forecast per catalog region, incremental.

Requests (https://www.eia.gov/opendata/documentation.php):
- `electricity/rto/region-data/data/`: `facets[respondent][]=<BA>`, `facets[type][]=D|DF`;
- `electricity/rto/region-sub-ba-data/data/`: `facets[parent][]=<BA>`, `facets[subba][]=<sub>`
  for regions measured at a sub-BA (`eia930_subregion = "PJM-DOM"`: parent PJM, subba DOM);
each with `frequency=hourly`, `data[0]=value`, `start`/`end` (`YYYY-MM-DDTHH`, UTC, inclusive,
on the hour-ending `period`), sorted by period, paged by `offset`/`length` (5,000 rows a page)
until `response.total` rows are read. Rows go through the EIA adapter and validation as one batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from forecast import schema as S
from pipelines.live.http import LiveAuthError, LiveResponseError, Retry, get, redact
from pipelines.sources.base import Adapted, Catalog
from pipelines.sources.eia930 import adapt_api, api_row, api_rows_frame

EIA_BASE_URL = "https://api.eia.gov"
KEY_SETTING = "HEADROOM_EIA_API_KEY"
SOURCE = "eia-api"
REGION_DATA = "/v2/electricity/rto/region-data/data/"
SUB_BA_DATA = "/v2/electricity/rto/region-sub-ba-data/data/"
PAGE_ROWS = 5000
FORECAST_AHEAD = timedelta(hours=48)  # DF is published for the next day


@dataclass(frozen=True)
class EiaQuery:
    """One series of one region: which endpoint and facets, and the hours wanted (hour starts, UTC)."""

    region: str
    series: str
    path: str
    facets: tuple[tuple[str, str], ...]
    first: datetime
    last: datetime

    def params(self, key: str, offset: int) -> list[tuple[str, str]]:
        hour = "%Y-%m-%dT%H"  # `period` is the hour's end
        return [
            ("api_key", key), ("frequency", "hourly"), ("data[0]", "value"),
            *[(f"facets[{name}][]", value) for name, value in self.facets],
            ("start", (self.first + timedelta(hours=1)).strftime(hour)),
            ("end", (self.last + timedelta(hours=1)).strftime(hour)),
            ("sort[0][column]", "period"), ("sort[0][direction]", "asc"),
            ("offset", str(offset)), ("length", str(PAGE_ROWS)),
        ]


def eia_queries(
    catalog: Catalog, ends: Mapping[tuple[str, str], datetime], now: datetime, lookback: timedelta
) -> list[EiaQuery]:
    """What to ask for: each region's load (sub-BA where declared) and its BA's day-ahead forecast.

    A series starts one hour after its last stored hour (`ends`), or `lookback` before now.
    """
    hour = now.replace(minute=0, second=0, microsecond=0)
    queries = []
    for region in catalog.values():
        ba = region.sources.get("eia930_ba")
        if ba is None:
            continue
        sub = region.sources.get("eia930_subregion")
        wanted = [(S.OPERATOR_FORECAST, REGION_DATA, (("respondent", ba), ("type", "DF")),
                   hour + FORECAST_AHEAD)]
        if sub and sub.startswith(f"{ba}-"):
            facets = (("parent", ba), ("subba", sub.removeprefix(f"{ba}-")))
            wanted.append((S.GRID_LOAD, SUB_BA_DATA, facets, hour - timedelta(hours=1)))
        else:
            wanted.append((S.GRID_LOAD, REGION_DATA, (("respondent", ba), ("type", "D")),
                           hour - timedelta(hours=1)))
        for series, path, facets, last in wanted:
            stored = ends.get((region.id, series))
            first = stored + timedelta(hours=1) if stored is not None else hour - lookback
            if first <= last:
                queries.append(EiaQuery(region.id, series, path, facets, first, last))
    return queries


def _rows(document: Any, source: str, key: str) -> tuple[list[dict[str, Any]], int]:
    """(data rows, total) of one answer; an `error` answer raises (the key blanked out)."""
    if isinstance(document, dict) and "error" in document:
        error = document["error"]
        text = redact(json.dumps(error)[:200] if not isinstance(error, str) else error[:200], [key])
        if "api_key" in text.lower():
            raise LiveAuthError(source, f"the API refused the key; set {KEY_SETTING} to a valid key")
        raise LiveResponseError(source, f"the API answered with an error: {text}")
    try:
        response = document["response"]
        return list(response["data"]), int(response.get("total", len(response["data"])))
    except (KeyError, TypeError, ValueError):
        raise LiveResponseError(source, "expected JSON with response.data and response.total") from None


def fetch_query(
    client: httpx.Client, base_url: str, key: str, query: EiaQuery, retry: Retry
) -> list[dict[str, str | None]]:
    """Every row of one query, page by page."""
    rows: list[dict[str, str | None]] = []
    offset = 0
    while True:
        response = get(
            client, base_url.rstrip("/") + query.path, query.params(key, offset),
            source=SOURCE, key_setting=KEY_SETTING, secret=key, retry=retry,
        )
        try:
            document = response.json()
        except ValueError:
            raise LiveResponseError(SOURCE, "the API answered with something that is not JSON") from None
        page, total = _rows(document, SOURCE, key)
        rows.extend(api_row(r) for r in page)
        offset += len(page)
        if not page or offset >= total:
            return rows


def fetch_eia(
    client: httpx.Client, base_url: str, key: str, queries: list[EiaQuery], catalog: Catalog,
    retry: Retry,
) -> tuple[Adapted, str]:
    """All queries' rows as one adapted batch, and the batch's digest (same answers, same id)."""
    rows = [row for query in queries for row in fetch_query(client, base_url, key, query, retry)]
    frame = api_rows_frame(rows)
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    return adapt_api(frame, catalog, None, f"{SOURCE}:{base_url_host(base_url)}"), digest


def base_url_host(base_url: str) -> str:
    """The host of a base URL (what a report names as the source)."""
    return httpx.URL(base_url).host or base_url
