"""One error body everywhere, `{"error": {"code", "message", "details"}}`, and the domain-error map."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from forecast.catalog import CatalogError, UnknownRegionError
from pipelines.serving import InvalidQuantilesError, NotPublishedError, QuantileOutOfRangeError


class ErrorDetail(BaseModel):
    """What went wrong, in words and in fields."""

    code: str = Field(examples=["unknown_region"])
    message: str = Field(examples=["unknown region 'xx'; known regions: de-fra, nordics, us-nova, us-wtx"])
    details: Any = Field(None, examples=[{"known": ["de-fra", "nordics", "us-nova", "us-wtx"]}])


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    """A JSON error response in the one error shape."""
    body = ErrorBody(error=ErrorDetail(code=code, message=message, details=details))
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


# Domain errors -> (status, code): the one place where they meet HTTP.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    UnknownRegionError: (404, "unknown_region"),
    NotPublishedError: (503, "not_published"),
    QuantileOutOfRangeError: (422, "quantile_out_of_range"),
    InvalidQuantilesError: (422, "invalid_quantiles"),
    CatalogError: (422, "invalid_region"),
}


def _domain_details(exc: Exception) -> Any:
    if isinstance(exc, UnknownRegionError):
        return {"known": exc.known}
    if isinstance(exc, CatalogError):
        return {"region": exc.region, "field": exc.field, "reason": exc.reason}
    return None


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors and HTTP errors to the one error body."""

    for exc_type, (status, code) in DOMAIN_ERRORS.items():

        def handler(request: Request, exc: Exception, status: int = status, code: str = code) -> JSONResponse:
            return error_response(status, code, str(exc), _domain_details(exc))

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
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return error_response(exc.status_code, code, str(exc.detail))
