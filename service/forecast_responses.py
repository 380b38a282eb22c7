"""Forecast responses rendered once per published version: bytes, ETag and headers kept in memory.

A request never opens the forecasts table: the table version is checked every
`forecast_check_seconds` by a background task (or on every request when that is 0), and a new
version clears what was rendered. Rendering (polars interpolation, JSON or CSV) happens once
per (region, target, horizon, quantiles, format) and version, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from forecast.catalog import Region
from pipelines.serving.localtime import with_local_time
from pipelines.serving.published import PublishedForecasts, ServedForecast, serve_forecast
from service.schemas.forecasts import ForecastOut, ForecastPoint, Target

MAX_ENTRIES = 2048  # bounds memory against many distinct quantile lists; the oldest goes first
VALIDATORS = ("ETag", "Last-Modified", "Cache-Control")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}

Key = tuple[str, str, int, tuple[float, ...], str]


@dataclass(frozen=True)
class Rendered:
    """One response ready to send: body, validators and metadata headers."""

    body: bytes
    media_type: str
    etag: str
    last_modified: str
    headers: dict[str, str]

    def raw_headers(self, status: int) -> list[tuple[bytes, bytes]]:
        """ASGI headers of a 200 (everything) or a 304 (validators only)."""
        names = self.headers if status == 200 else VALIDATORS
        pairs = [(k.lower().encode(), self.headers[k].encode()) for k in names]
        if status == 200:
            pairs.append((b"content-type", self.media_type.encode()))
            pairs.append((b"content-length", b"%d" % len(self.body)))
        return pairs

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """True when the client's copy is current (RFC 9110: If-None-Match wins over If-Modified-Since)."""
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since is not None:
            try:
                return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(self.last_modified)
            except (TypeError, ValueError):
                return False
        return False


def render(
    served: ServedForecast, target: str, horizon: int, quantiles: Sequence[float], fmt: str,
    timezone: str | None = None,
) -> Rendered:
    """The response bytes of a served forecast, as JSON (the ForecastOut schema) or CSV. JSON points
    carry `ts_local` in the region's `timezone` beside UTC; CSV keeps its columns."""
    if fmt == "csv":
        body = served.frame.write_csv().encode()
    else:
        frame = with_local_time(served.frame, timezone)
        body = ForecastOut(
            region=served.region,
            target=Target(target),
            horizon=horizon,
            quantiles=list(quantiles),
            model_version=served.model_version,
            issued_at=served.issued_at,
            data_as_of=served.data_as_of,
            basis=served.basis,
            points=[ForecastPoint(**row) for row in frame.iter_rows(named=True)],
        ).model_dump_json().encode()
    etag = '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'
    last_modified = format_datetime(served.issued_at.astimezone(UTC), usegmt=True)
    headers = {
        "ETag": etag,
        "Last-Modified": last_modified,
        # Clients may keep a copy but must revalidate: a new issue can be published at any time.
        "Cache-Control": "no-cache",
        "X-Model-Version": served.model_version,
        "X-Issued-At": served.issued_at.isoformat(),
        "X-Data-As-Of": served.data_as_of.isoformat(),
    }
    if served.basis:
        headers["X-Capacity-Basis"] = served.basis
    return Rendered(body, MEDIA_TYPES[fmt], etag, last_modified, headers)


class ForecastResponses:
    """The one owner of what is served: rendered forecast responses and their validators.

    An entry holds for one published version and one parse of the catalog; a new version or a
    changed catalog makes every entry stale, so the region is checked once, when the response is
    rendered (by `serve_forecast`, the same call the CLI makes), never again per request.
    `ForecastFastPath` is only this layer's ASGI entrance for exact repeats.
    """

    def __init__(
        self, published: PublishedForecasts, check_seconds: float,
        catalog: Callable[[], Mapping[str, Region]] | None = None,
    ) -> None:
        self.published, self.check_seconds = published, check_seconds
        self.catalog = catalog
        self._version: int | None = -1
        self._entries: dict[Key, tuple[int | None, Mapping[str, Region], Rendered]] = {}
        # Raw (path, query) of answered requests -> the entry's key and route: the fast path's index.
        self._raw: dict[tuple[str, bytes], tuple[Key, Any, list, list]] = {}
        self._lock = threading.Lock()
        self.on_publish: list[Callable[[], None]] = []

    def refresh(self) -> int | None:
        """Check the table version (opens the table); a new version drops every rendered response
        and runs `on_publish` (e.g. building the placement cube before the first query asks)."""
        version = self.published.refresh()
        with self._lock:
            changed = version != self._version
            if changed:
                self._entries, self._raw, self._version = {}, {}, version
        if changed:
            for hook in self.on_publish:
                hook()
        return version

    async def watch(self) -> None:
        """Check for new publications every `check_seconds`, off the event loop (runs until cancelled)."""
        while True:
            await asyncio.sleep(self.check_seconds)
            await run_in_threadpool(self.refresh)

    def _render(
        self, catalog: Mapping[str, Region], key: Key, region: str, target: str, horizon: int,
        quantiles: Sequence[float], fmt: str,
    ) -> Rendered:
        version = self._version
        served = serve_forecast(catalog, self.published, region, target, horizon, quantiles)
        rendered = render(served, target, horizon, quantiles, fmt, catalog[region].timezone)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (version, catalog, rendered)
        return rendered

    def _fresh(self, key: Key, catalog: Mapping[str, Region]) -> Rendered | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] != self._version or hit[1] is not catalog:
            return None
        return hit[2]

    def remember(self, path: str, query: bytes, key: Key, route: Any) -> None:
        """Let the fast path answer this exact request again (while its entry stays fresh)."""
        if self.check_seconds == 0:
            return  # every request checks the version: nothing may bypass that check
        hit = self._entries.get(key)
        if hit is None:
            return
        rendered = hit[2]
        with self._lock:
            if len(self._raw) >= MAX_ENTRIES:
                self._raw.pop(next(iter(self._raw)))
            self._raw[(path, query)] = (key, route, rendered.raw_headers(200), rendered.raw_headers(304))

    def lookup(self, path: str, query: bytes) -> tuple[Any, Rendered, list, list] | None:
        """The fresh entry `remember` indexed for this exact request, with its route and ASGI headers."""
        indexed = self._raw.get((path, query))
        if indexed is None or self.catalog is None:
            return None
        key, route, full, validators = indexed
        rendered = self._fresh(key, self.catalog())
        return None if rendered is None else (route, rendered, full, validators)

    async def get(
        self, catalog: Mapping[str, Region], region: str, target: str, horizon: int,
        quantiles: Sequence[float], fmt: str,
    ) -> tuple[Key, Rendered]:
        """The key and rendered forecast; unknown regions and unpublished forecasts raise their errors."""
        if self.check_seconds == 0:
            await run_in_threadpool(self.refresh)
        key: Key = (region, target, horizon, tuple(quantiles), fmt)
        rendered = self._fresh(key, catalog)
        if rendered is not None:
            return key, rendered
        args = (catalog, key, region, target, horizon, quantiles, fmt)
        return key, await run_in_threadpool(self._render, *args)


class ForecastFastPath:
    """ASGI entrance of `ForecastResponses`: exact repeats of a served request answered before routing.

    Only requests the router answered with 200 are indexed, so validation and errors stay the
    router's; a repeat skips FastAPI's parameter and dependency resolution (most of a request's
    cost). Freshness (version, catalog) and the 304 decision are the responses layer's.
    """

    def __init__(self, app: ASGIApp, responses: ForecastResponses) -> None:
        self.app, self.responses = app, responses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hit = None
        if scope["type"] == "http" and scope["method"] == "GET":
            hit = self.responses.lookup(scope["path"], scope["query_string"])
        if hit is None:
            await self.app(scope, receive, send)
            return
        route, rendered, full, validators = hit
        scope["route"] = route  # so that metrics and logs name the route template
        if_none_match = if_modified_since = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"if-modified-since":
                if_modified_since = value.decode("latin-1")
        if rendered.not_modified(if_none_match, if_modified_since):
            await send({"type": "http.response.start", "status": 304, "headers": list(validators)})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(full)})
        await send({"type": "http.response.body", "body": rendered.body})
