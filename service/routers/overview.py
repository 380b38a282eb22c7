"""Every region at a glance, and what model serves each: read from what was published."""

from __future__ import annotations

from fastapi import APIRouter

from pipelines.registry.versions import Registry
from pipelines.serving.overview import region_overview, served_models
from service.deps import CatalogDep, PublishedDep, SettingsDep, StoreDep
from service.schemas.operations import ModelsOut
from service.schemas.overview import OverviewOut

router = APIRouter(prefix="/v1", tags=["regions"])


@router.get(
    "/overview",
    response_model=OverviewOut,
    summary="Each region's latest load, headroom now and lowest P10 headroom over the next 7 days",
)
def overview(store: StoreDep, published: PublishedDep, catalog: CatalogDep) -> OverviewOut:
    return OverviewOut(regions=region_overview(store, published, catalog))


@router.get(
    "/models", response_model=ModelsOut, tags=["operations"],
    summary="The model version and issue serving each region and target, and its registry champions",
)
def models(published: PublishedDep, settings: SettingsDep) -> ModelsOut:
    return ModelsOut(models=served_models(published, Registry(settings)))
