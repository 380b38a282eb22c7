"""Regions and their published hourly forecasts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from pipelines.serving import parse_quantiles, serve_forecast
from service.deps import CatalogDep, PublishedDep
from service.errors import ErrorBody
from service.schemas import ForecastOut, ForecastPoint, RegionOut, RegionsOut, Target

router = APIRouter(prefix="/v1", tags=["regions"])


@router.get("/regions", response_model=RegionsOut, summary="Regions of the catalog")
def list_regions(catalog: CatalogDep) -> RegionsOut:
    return RegionsOut(regions=[RegionOut.of(r) for r in catalog.values()])


@router.get(
    "/regions/{region}/forecast",
    response_model=ForecastOut,
    summary="Hourly probabilistic forecast of headroom, grid load, AI demand or capacity",
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
def region_forecast(
    region: str,
    catalog: CatalogDep,
    published: PublishedDep,
    target: Target = Target.headroom,
    horizon: Annotated[int, Query(ge=1, le=168, description="Hours ahead, at most 168.")] = 48,
    quantiles: Annotated[
        str, Query(max_length=200, description="Comma-separated, each strictly in (0, 1).")
    ] = "0.1,0.5,0.9",
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> ForecastOut | Response:
    qs = parse_quantiles(quantiles)
    served = serve_forecast(catalog, published, region, target.value, horizon, qs)
    if format == "csv":
        return Response(served.frame.write_csv(), media_type="text/csv")
    return ForecastOut(
        region=served.region,
        target=target,
        horizon=horizon,
        quantiles=qs,
        model_version=served.model_version,
        issued_at=served.issued_at,
        data_as_of=served.data_as_of,
        points=[ForecastPoint(**row) for row in served.frame.iter_rows(named=True)],
    )
