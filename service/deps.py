"""Request dependencies as named Annotated aliases; tests override `get_settings`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from forecast.catalog import Region
from pipelines.catalog import load_catalog
from pipelines.config import Settings, get_settings
from pipelines.serving import PublishedForecasts
from pipelines.store import Store


def get_store(request: Request) -> Store:
    """The store the app was started with."""
    return request.app.state.store


def get_published(request: Request) -> PublishedForecasts:
    """The in-memory published forecasts of this process."""
    return request.app.state.published


def get_catalog(settings: Annotated[Settings, Depends(get_settings)]) -> dict[str, Region]:
    """The region catalog (shipped plus added regions)."""
    return load_catalog(settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
PublishedDep = Annotated[PublishedForecasts, Depends(get_published)]
CatalogDep = Annotated[dict[str, Region], Depends(get_catalog)]
