"""One error body everywhere, `{"error": {"code", "message", "details"}}`, and the domain-error map."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from forecast.catalog import CatalogError, UnknownRegionError
from forecast.errors import InvalidInputError, UserError
from forecast.flexibility import (
    DuplicateHoursError,
    InsufficientYearsError,
    InvalidLimitError,
    NoSeasonPeakError,
    NoWholeYearError,
)
from forecast.headroom import ShortfallWindowError
from forecast.placement import PlacementQueryError, UnalignedPathsError, UnknownRegionsError
from forecast.planning.capacity_plan import InvalidPlannedChangeError
from forecast.planning.flexible import InvalidCurtailmentError
from forecast.planning.outlook import InsufficientHistoryError, MissingSeriesError
from forecast.planning.queue_risk import TargetDateError
from forecast.planning.scenarios import ScenarioListError, UnknownScenarioError
from forecast.planning.siting import NoRegionAssessedError, RankByError
from forecast.planning.survival import NoQueueDataError
from forecast.schema import MissingColumnsError
from pipelines.flexibility.inputs import InvalidOptionError
from pipelines.jobs.runner import UnknownJobError
from pipelines.placement.answers import HorizonPassedError
from pipelines.placement.paths import PathsNotPublishedError
from pipelines.planning.answers import UnknownQueueSourceError
from pipelines.planning.simulation import NoGridLoadError
from pipelines.serving.published import InvalidQuantilesError, NotPublishedError, QuantileOutOfRangeError
from pipelines.sources.base import SourceFormatError
from service.security import UnauthorizedError


class ErrorDetail(BaseModel):
    """What went wrong, in words and in fields."""

    code: str = Field(examples=["unknown_region"])
    message: str = Field(examples=["unknown region 'xx'; known regions: de-fra, nordics, us-nova, us-wtx"])
    details: Any = Field(None, examples=[{"known": ["de-fra", "nordics", "us-nova", "us-wtx"]}])


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class NotAvailableError(LookupError):
    """A feature whose pipeline function is not part of this build yet (503, never a made-up value)."""

    def __init__(self, feature: str, missing: str) -> None:
        self.feature, self.missing = feature, missing
        super().__init__(f"{feature} is not available yet: this build has no {missing}")


class UnsupportedMediaTypeError(ValueError):
    """A write body in a content type the endpoint does not read (415); names the ones it does."""

    def __init__(self, found: str, accepted: tuple[str, ...]) -> None:
        self.found, self.accepted = found, list(accepted)
        super().__init__(f"content type {found!r} is not accepted here; send one of {', '.join(accepted)}")


class BodyTooLargeError(StarletteHTTPException):
    """A request body over the configured limit (413); the message states the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            413,
            f"request body exceeds the limit of {limit} bytes ({limit / 1048576:g} MiB); "
            "send smaller batches (HEADROOM_MAX_BODY_BYTES sets the limit)",
        )


def error_payload(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape as plain data."""
    return ErrorBody(error=ErrorDetail(code=code, message=message, details=details)).model_dump(mode="json")


def error_bytes(code: str, message: str, details: Any = None) -> bytes:
    """The one error shape as JSON bytes (for ASGI middleware that answers before the app)."""
    return json.dumps(error_payload(code, message, details), separators=(",", ":")).encode()


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error response in the one error shape."""
    return JSONResponse(status_code=status, content=error_payload(code, message, details), headers=headers)


# Domain errors -> (status, code): the one place where they meet HTTP.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    UnknownRegionError: (404, "unknown_region"),
    NotPublishedError: (503, "not_published"),
    NotAvailableError: (503, "not_available"),
    QuantileOutOfRangeError: (422, "quantile_out_of_range"),
    InvalidQuantilesError: (422, "invalid_quantiles"),
    CatalogError: (422, "invalid_region"),
    MissingColumnsError: (422, "missing_columns"),
    UnauthorizedError: (401, "unauthorized"),
    UnsupportedMediaTypeError: (415, "unsupported_media_type"),
    UnknownJobError: (404, "unknown_job"),
    SourceFormatError: (422, "invalid_format"),
    UnknownScenarioError: (422, "unknown_scenario"),
    # The data cannot answer this request (4xx: a retry will not help until the data changes);
    # 503 is kept for "not published yet, try shortly" and always carries Retry-After.
    InsufficientHistoryError: (409, "insufficient_history"),
    NoQueueDataError: (409, "no_queue_data"),
    NoRegionAssessedError: (409, "no_region_assessed"),
    InvalidInputError: (422, "invalid_input"),
    UserError: (422, "unprocessable"),
    # Flexibility (issue #17): the data cannot answer (409) or the request is wrong (422).
    InsufficientYearsError: (409, "insufficient_years"),
    DuplicateHoursError: (409, "duplicate_hours"),
    NoSeasonPeakError: (409, "no_season_peak"),
    NoWholeYearError: (409, "no_whole_year"),
    InvalidLimitError: (422, "invalid_limit"),
    InvalidOptionError: (422, "invalid_request"),
    # Placement (issue #18): the more specific UnknownRegionsError wins over its base class.
    PlacementQueryError: (422, "invalid_placement"),
    UnknownRegionsError: (404, "unknown_region"),
    HorizonPassedError: (409, "horizon_passed"),
    UnalignedPathsError: (409, "unaligned_paths"),
    PathsNotPublishedError: (503, "not_published"),
    TargetDateError: (422, "invalid_target_date"),
    UnknownQueueSourceError: (422, "unknown_queue_source"),
    NoGridLoadError: (409, "no_grid_load"),
    MissingSeriesError: (409, "missing_series"),
    # Flexible load in queue risk and siting (#17 item 2).
    RankByError: (422, "invalid_rank_by"),
    InvalidCurtailmentError: (422, "invalid_curtailment"),
    # Capacity plan (#19): a planned change the plan refuses.
    InvalidPlannedChangeError: (422, "invalid_capacity_plan"),
    ShortfallWindowError: (422, "invalid_window"),
    ScenarioListError: (422, "invalid_scenario"),
}
# 503s that clear once the next issue is published: seconds a client waits before asking again.
RETRY_AFTER_SECONDS = {NotPublishedError: 60, NotAvailableError: 3600, PathsNotPublishedError: 300}


def _domain_details(exc: Exception) -> Any:
    if isinstance(exc, UnknownRegionError):
        return {"known": exc.known}
    if isinstance(exc, CatalogError):
        return {"region": exc.region, "field": exc.field, "reason": exc.reason}
    if isinstance(exc, MissingColumnsError):
        return {"expected": exc.expected, "found": exc.found}
    if isinstance(exc, UnsupportedMediaTypeError):
        return {"found": exc.found, "accepted": exc.accepted}
    if isinstance(exc, UnknownQueueSourceError):
        return [{"field": exc.field, "reason": str(exc), "known": exc.known}]
    if isinstance(exc, NotAvailableError):
        return {"feature": exc.feature, "missing": exc.missing}
    if isinstance(exc, InsufficientYearsError):
        return {"region": exc.region, "hours": exc.hours, "timezone": exc.timezone,
                "needs": "one whole local calendar year of grid_load"}
    if isinstance(exc, InvalidLimitError):
        return [{"field": "limits", "reason": str(exc)}]
    if isinstance(exc, UnknownRegionsError):
        return {"field": exc.field, "unknown": exc.unknown, "known": exc.known}
    if isinstance(exc, PlacementQueryError):
        return {"field": exc.field, "reason": str(exc).removeprefix(f"{exc.field}: ")}
    if isinstance(exc, HorizonPassedError):
        return {"horizon_end": exc.horizon_end.isoformat(), "issued_at": exc.issued_at.isoformat()}
    if isinstance(exc, InvalidInputError) and exc.field:  # every bad value that names its field
        allowed = {"allowed": exc.allowed} if exc.allowed else {}
        return [{"field": exc.field, "reason": exc.reason or str(exc), **allowed}]
    return None


BODY_PARSE_ERROR = "There was an error parsing the body"
HTTP_CODES = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors, HTTP errors and crashes to the one error body."""

    for exc_type, (status, code) in DOMAIN_ERRORS.items():

        def handler(request: Request, exc: Exception, status: int = status, code: str = code) -> JSONResponse:
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            if status == 503:
                headers = {"Retry-After": str(RETRY_AFTER_SECONDS.get(type(exc), 60))}
            return error_response(status, code, str(exc), _domain_details(exc), headers)

        app.add_exception_handler(exc_type, handler)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(p) for p in err["loc"]), "reason": err["msg"]} for err in exc.errors()
        ]
        message = "; ".join(f"{f['field']}: {f['reason']}" for f in fields)
        return error_response(422, "invalid_request", message, fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_PARSE_ERROR:
            # FastAPI's answer to a body that is not JSON at all (bytes that are not UTF-8): one
            # documented status for every bad body, 422, naming the field.
            reason = "not valid JSON (a UTF-8 encoded JSON document is expected)"
            details = [{"field": "body", "reason": reason}]
            return error_response(422, "invalid_request", f"body: {reason}", details)
        code = HTTP_CODES.get(exc.status_code, "http_error")
        details = {"limit_bytes": exc.limit} if isinstance(exc, BodyTooLargeError) else None
        return error_response(exc.status_code, code, str(exc.detail), details, exc.headers)
