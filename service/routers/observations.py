"""Observations posted over HTTP (JSON or NDJSON), ingested as one batch; needs a bearer key."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from pipelines.ingest.records import ingest_records, parse_ndjson
from pipelines.jobs.scheduler import observations_arrived
from service.deps import MetricsDep, SettingsDep, StoreDep, WriterDep
from service.errors import ErrorBody, UnsupportedMediaTypeError
from service.schemas.ingest import BatchReportOut, ObservationIn, ObservationsIn

router = APIRouter(prefix="/v1", tags=["ingest"])
log = logging.getLogger("headroom.ingest")
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")
JSON_TYPES = ("application/json",)
_ROW = ObservationIn.model_json_schema()
OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["observations"], "additionalProperties": False,
                           "properties": {"observations": {"type": "array", "minItems": 1, "items": _ROW}}},
                "example": ObservationsIn.model_config["json_schema_extra"]["examples"][0],
            },
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"region": "us-nova", "series": "grid_load", "ts": "2026-11-29T13:00:00Z", '
                '"value": 14210.0, "unit": "MW"}\n',
            },
        },
    }
}


def _parse(body: bytes, content_type: str) -> ObservationsIn:
    """The request body as a batch: JSON `{"observations": [...]}` or NDJSON; 422 naming what is wrong.

    Any other declared content type is 415: a CSV or form body is not guessed at.
    """
    media = content_type.split(";")[0].strip().lower()
    if media not in (*JSON_TYPES, *NDJSON_TYPES) and not media.endswith("+json"):
        raise UnsupportedMediaTypeError(media, (*JSON_TYPES, *NDJSON_TYPES))
    try:
        if media in NDJSON_TYPES:
            return ObservationsIn(observations=parse_ndjson(body))
        return ObservationsIn.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    except ValueError as exc:  # a bad NDJSON line: the message names its number
        raise RequestValidationError([{"loc": ("body",), "msg": str(exc), "type": "value_error"}]) from None


@router.post(
    "/observations",
    response_model=BatchReportOut,
    summary="Ingest observations; every row is accepted, updated, unchanged or quarantined with a reason",
    description="Needs `Authorization: Bearer <key>`. Body: JSON `{\"observations\": [...]}` or NDJSON "
    "(`Content-Type: application/x-ndjson`), at most HEADROOM_MAX_BODY_BYTES (8 MiB by default).",
    openapi_extra=OPENAPI_BODY,
    responses={401: {"model": ErrorBody}, 413: {"model": ErrorBody}, 415: {"model": ErrorBody},
               422: {"model": ErrorBody}},
)
async def post_observations(
    request: Request, caller: WriterDep, store: StoreDep, settings: SettingsDep, metrics: MetricsDep
) -> BatchReportOut:
    batch = _parse(await request.body(), request.headers.get("content-type", "application/json"))
    records = [o.model_dump(exclude_none=True) for o in batch.observations]
    report = await run_in_threadpool(ingest_records, store, settings, records, f"key:{caller.key_id}")
    metrics.count_ingested({"accepted": report.accepted, "updated": report.updated,
                            "unchanged": report.unchanged, "quarantined": report.quarantined})
    await run_in_threadpool(observations_arrived, report.accepted + report.updated)
    log.info("batch %s: %d rows read", report.batch_id, report.rows_read, extra={"key_id": caller.key_id})
    return BatchReportOut.model_validate(report.model_dump())
