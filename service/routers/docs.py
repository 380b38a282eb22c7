"""Swagger UI at `/docs`, its assets served from the installed fastapi-swagger package (no CDN)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
PACKAGE = "fastapi_swagger.resources"
PREFIX = "/docs/assets"
# An allow-list of the package's files: name -> media type.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@cache
def _read(name: str) -> bytes:
    return resources.files(PACKAGE).joinpath(name).read_bytes()


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API reference; every URL in it points back at this app."""
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - API",
        swagger_js_url=f"{root}{PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{root}{PREFIX}/favicon-32x32.png",
    )


def _asset(name: str) -> Response:
    return Response(_read(name), media_type=ASSETS[name], headers={"Cache-Control": "max-age=86400"})


@router.get(f"{PREFIX}/swagger-ui-bundle.js")
def swagger_js() -> Response:
    return _asset("swagger-ui-bundle.js")


@router.get(f"{PREFIX}/swagger-ui.css")
def swagger_css() -> Response:
    return _asset("swagger-ui.css")


@router.get(f"{PREFIX}/favicon-32x32.png")
def swagger_favicon() -> Response:
    return _asset("favicon-32x32.png")
