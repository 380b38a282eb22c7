"""Prometheus metrics of this process."""

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from service.deps import MetricsDep

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics: latency by route, forecast age, rows ingested, job runs, models",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"example": "headroom_forecast_age_seconds"
                                                       '{region="us-nova",target="headroom"} 312.0\n'}}}},
)
async def metrics(metrics: MetricsDep) -> Response:
    # Off the event loop: the job-runs collector may read the runs table.
    body = await run_in_threadpool(generate_latest, metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
