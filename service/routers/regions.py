"""Regions, their published hourly forecasts and their monthly outlook."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from forecast.planning.outlook import MAX_MONTHS
from forecast.planning.queue_risk import RiskParams
from pipelines.planning.compare import OutlookComparison, run_outlook_scenarios
from pipelines.planning.provenance import provenance_by_region
from pipelines.serving.published import parse_quantiles
from pipelines.serving.views import region_views
from service.deps import CatalogDep, ResponsesDep, SettingsDep, StoreDep
from service.errors import ErrorBody
from service.revalidation import NOT_MODIFIED, json_answer
from service.schemas.forecasts import ForecastOut, RegionOut, RegionsOut, Target
from service.schemas.planning import OutlookComparisonOut, OutlookHorizonOut, OutlookOut, ScenarioName

router = APIRouter(prefix="/v1", tags=["regions"])
ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}}


OUTLOOK_HORIZON = OutlookHorizonOut(
    simulated_months=MAX_MONTHS,
    shown_months_max=60,
    hold_months_default=RiskParams().hold_months,
    target_dates="after the data's as-of date, and no later than the end of month "
    "simulated_months - 1 - hold_months counted from the as-of month (a 422 names the exact range)",
)


@router.get(
    "/regions",
    response_model=RegionsOut,
    summary="Regions of the catalog, with where their data came from and the outlook's horizon",
)
def list_regions(catalog: CatalogDep, store: StoreDep) -> RegionsOut:
    provenance = provenance_by_region(store, list(catalog))
    views = {r: {k: asdict(v) for k, v in by.items()} for r, by in region_views(store, catalog).items()}
    return RegionsOut(
        regions=[
            RegionOut.of(r, provenance.get(r.id, []), OUTLOOK_HORIZON, views[r.id]) for r in catalog.values()
        ]
    )


@router.get(
    "/regions/{region}/forecast",
    response_model=ForecastOut,
    summary="Hourly probabilistic forecast of headroom, grid load, AI demand or capacity",
    description="The latest published issue, from memory. `ETag`/`Last-Modified` allow revalidation "
    "(304 on a matching `If-None-Match`); `X-Model-Version`, `X-Issued-At` and `X-Data-As-Of` "
    "carry the metadata for CSV too.",
    responses={
        **ERRORS,
        200: {"content": {"text/csv": {"example": "ts,quantile,value\n2026-11-29T14:00:00Z,0.5,12064.0\n"}}},
        304: {"description": "Not modified: the client's copy (its ETag) is current."},
    },
)
async def region_forecast(
    request: Request,
    region: str,
    catalog: CatalogDep,
    responses: ResponsesDep,
    target: Target = Target.headroom,
    horizon: Annotated[int, Query(ge=1, le=168, description="Hours ahead, at most 168.")] = 48,
    quantiles: Annotated[
        str, Query(max_length=200, description="Comma-separated, each strictly in (0, 1).")
    ] = "0.1,0.5,0.9",
    format: Annotated[str, Query(pattern="^(json|csv)$", description="json or csv.")] = "json",
) -> Response:
    qs = parse_quantiles(quantiles)
    key, rendered = await responses.get(catalog, region, target.value, horizon, qs, format)
    scope = request.scope
    responses.remember(scope["path"], scope["query_string"], key, scope["route"])
    headers = request.headers
    if rendered.not_modified(headers.get("if-none-match"), headers.get("if-modified-since")):
        validators = {k: rendered.headers[k] for k in ("ETag", "Last-Modified", "Cache-Control")}
        return Response(status_code=304, headers=validators)
    return Response(rendered.body, media_type=rendered.media_type, headers=rendered.headers)


@router.get(
    "/regions/{region}/outlook",
    response_model=OutlookOut | OutlookComparisonOut,
    summary="Monthly outlook of peak load, capacity, AI demand and headroom, up to 60 months",
    description="The first `months` months of the region's one simulation per data version and "
    "scenario (a month answers the same whatever `months` is). `ETag` allows revalidation.",
    responses={**ERRORS, 409: {"model": ErrorBody}, **NOT_MODIFIED},
)
def region_outlook(
    request: Request,
    region: str,
    store: StoreDep,
    settings: SettingsDep,
    months: Annotated[int, Query(ge=1, le=60, description="Months ahead, at most 60.")] = 60,
    scenario: Annotated[
        str,
        Query(max_length=40, description="AI-demand scenario low, base or high; several comma-separated "
              "(low,base,high) compare them, one block each in `by_scenario`."),
    ] = ScenarioName.base.value,
) -> Response:
    result = run_outlook_scenarios(store, settings, region, months, scenario)
    shape = OutlookComparisonOut if isinstance(result, OutlookComparison) else OutlookOut
    return json_answer(request, shape.model_validate(result, from_attributes=True))
