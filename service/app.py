"""The FastAPI application: store and published forecasts on app state, routers, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pipelines.config import Settings, get_settings
from pipelines.serving import PublishedForecasts
from pipelines.store import Store
from service.errors import install_error_handlers
from service.routers import all_routers


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings` (the environment's when omitted)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.published.refresh()
        yield

    app = FastAPI(
        title="grid-headroom",
        version="0.1.0",
        summary="Per-region grid headroom and interconnection-queue risk for siting AI compute.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = Store(settings.tables)
    app.state.published = PublishedForecasts(app.state.store)
    app.dependency_overrides[get_settings] = lambda: settings
    install_error_handlers(app)
    for router in all_routers():
        app.include_router(router)
    return app
