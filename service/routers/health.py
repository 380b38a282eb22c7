"""Liveness and readiness of the process."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from pipelines.serving.overview import job_warnings, readiness_problems
from service.deps import CatalogDep, PublishedDep, StoreDep
from service.errors import ErrorBody, error_response
from service.schemas.operations import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Ready to serve: store readable, a forecast published for every region",
    responses={503: {"model": ErrorBody, "description": "Not ready; `details.reasons` says why."}},
)
async def readyz(store: StoreDep, published: PublishedDep, catalog: CatalogDep):
    problems = await run_in_threadpool(readiness_problems, store, published, catalog)
    warnings = await run_in_threadpool(job_warnings, store)
    if problems:
        details = {"reasons": problems, "warnings": warnings}
        return error_response(503, "not_ready", "; ".join(problems), details)
    return Readiness(
        status="ready", forecasts_version=store.version("forecasts"), regions=len(catalog), warnings=warnings
    )
