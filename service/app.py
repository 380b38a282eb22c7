"""The FastAPI application: state (store, published forecasts, metrics), middleware, routers, errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from pipelines.config.settings import Settings, get_settings
from pipelines.placement.answers import warm_cube
from pipelines.serving.published import PublishedForecasts
from pipelines.store import open_store
from service.deps import CatalogCache
from service.errors import install_error_handlers
from service.forecast_responses import ForecastFastPath, ForecastResponses
from service.logs import configure_logging
from service.metrics import Metrics
from service.middleware import RequestMiddleware
from service.options import ServiceOptions, get_options
from service.routers import all_routers

DESCRIPTION = """
Per-region forecasts of grid load, AI demand, capacity and **headroom**
(capacity - grid load - AI demand), interconnection-queue risk and siting, for people who site AI
compute. Every error has one shape, `{"error": {"code", "message", "details"}}`. Writes need
`Authorization: Bearer <key>`. Limits: forecast horizon ≤ 168 h, outlook ≤ 60 months, quantiles
strictly in (0, 1), request body ≤ `HEADROOM_MAX_BODY_BYTES` (8 MiB by default; larger is 413).
"""


def create_app(settings: Settings | None = None, options: ServiceOptions | None = None) -> FastAPI:
    """Build the app for `settings` and `options` (the environment's, cached, when omitted).

    Dependencies read them from app state rather than through `dependency_overrides`: FastAPI
    re-resolves every dependency of every request once any override exists (~0.1 ms each).
    """
    settings = settings or get_settings()
    options = options or get_options()
    configure_logging(options.log_format, options.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        responses: ForecastResponses = app.state.responses
        await run_in_threadpool(responses.refresh)
        watcher = asyncio.create_task(responses.watch()) if options.forecast_check_seconds > 0 else None
        yield
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    app = FastAPI(
        title="grid-headroom",
        version="0.1.0",
        summary="Per-region grid headroom and interconnection-queue risk for siting AI compute.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by service/routers/docs.py from the package, not a CDN
        redoc_url=None,  # ReDoc has no packaged assets; /docs is the reference
    )
    store = open_store(settings)
    published = PublishedForecasts(store)
    app.state.settings, app.state.options, app.state.store = settings, options, store
    app.state.published, app.state.catalog = published, CatalogCache(settings)
    app.state.responses = ForecastResponses(published, options.forecast_check_seconds, app.state.catalog.get)
    # A new issue builds its placement cube in the watcher's thread, not in the first query.
    app.state.responses.on_publish.append(partial(warm_cube, store))
    app.state.metrics = Metrics(published, store)
    if options.origins:
        # Closed unless configured: without origins no CORS header is ever sent.
        app.add_middleware(
            CORSMiddleware, allow_origins=options.origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match", "X-Request-ID"],
            expose_headers=["ETag", "Last-Modified", "X-Request-ID", "X-Model-Version"],
        )
    app.add_middleware(ForecastFastPath, responses=app.state.responses)
    # Added last, so outermost: ids, limits and metrics cover CORS and fast-path answers too.
    app.add_middleware(RequestMiddleware, metrics=app.state.metrics, max_body_bytes=options.max_body_bytes)
    install_error_handlers(app)
    for router in all_routers():
        app.include_router(router)
    return app
