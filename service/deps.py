"""Request dependencies as named Annotated aliases; tests give settings and options to `create_app`."""

from __future__ import annotations

import os
import time
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from forecast.catalog import Region
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.serving.published import PublishedForecasts
from pipelines.store import Store
from service.forecast_responses import ForecastResponses
from service.metrics import Metrics
from service.options import ServiceOptions
from service.security import Caller, authenticate, read_key_hashes


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with (`create_app(settings)`; `get_settings()` by default)."""
    return request.app.state.settings


async def get_app_options(request: Request) -> ServiceOptions:
    """The service options the app was built with."""
    return request.app.state.options


async def get_store(request: Request) -> Store:
    """The store the app was started with."""
    return request.app.state.store


async def get_published(request: Request) -> PublishedForecasts:
    """The in-memory published forecasts of this process."""
    return request.app.state.published


async def get_responses(request: Request) -> ForecastResponses:
    """Rendered forecast responses of this process."""
    return request.app.state.responses


async def get_metrics(request: Request) -> Metrics:
    """The app's Prometheus metrics."""
    return request.app.state.metrics


class CatalogCache:
    """The region catalog of one app's settings, parsed again only when one of its files changes."""

    # Parsing and validating the TOML costs ~0.6 ms; the files are looked at (two stat calls) at
    # most once a second, so the forecast's hot path pays neither.
    CHECK_SECONDS = 1.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.paths = (str(settings.catalog), str(settings.user_catalog))
        self._signature: tuple[Any, ...] | None = None
        self._catalog: dict[str, Region] = {}
        self._checked = -self.CHECK_SECONDS

    def _stat(self) -> tuple[Any, ...]:
        signature = []
        for path in self.paths:
            try:
                stat = os.stat(path)
                signature.append((stat.st_mtime_ns, stat.st_size))
            except FileNotFoundError:
                signature.append(None)
        return tuple(signature)

    def get(self) -> dict[str, Region]:
        """The current catalog."""
        now = time.monotonic()
        if now - self._checked >= self.CHECK_SECONDS:
            signature = self._stat()
            if signature != self._signature:
                self._catalog, self._signature = load_catalog(self.settings), signature
            self._checked = now
        return self._catalog


async def get_catalog(request: Request) -> dict[str, Region]:
    """The region catalog of the app's settings (async: on the forecast's hot path)."""
    return request.app.state.catalog.get()


bearer = HTTPBearer(auto_error=False, description="A write key: `Authorization: Bearer <key>`.")


def get_caller(
    settings: Annotated[Settings, Depends(get_app_settings)],
    options: Annotated[ServiceOptions, Depends(get_app_options)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The writer of a request with a valid bearer key; UnauthorizedError (401) otherwise."""
    hashes = read_key_hashes(settings.api_keys, settings.home / options.keys_file)
    return authenticate(credentials.credentials if credentials else None, hashes)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
OptionsDep = Annotated[ServiceOptions, Depends(get_app_options)]
StoreDep = Annotated[Store, Depends(get_store)]
PublishedDep = Annotated[PublishedForecasts, Depends(get_published)]
ResponsesDep = Annotated[ForecastResponses, Depends(get_responses)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
CatalogDep = Annotated[dict[str, Region], Depends(get_catalog)]
# Async dependencies on purpose: a sync one costs a worker-thread hop on every request.
# Writes: a valid `Authorization: Bearer <key>`; the alias documents the scheme in OpenAPI.
WriterDep = Annotated[Caller, Depends(get_caller)]
