"""The planner's dashboard at `/` and its assets, all served by the app itself (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from service.errors import NotAvailableError

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


def _plotly_js() -> Path | None:
    """plotly.min.js as shipped inside the plotly Python package, when it is installed."""
    try:
        import plotly
    except ImportError:
        return None
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path if path.exists() else None


# An allow-list, not a folder mount: only these names are ever read from disk.
ASSETS = {
    "dashboard.js": (STATIC / "dashboard.js", "text/javascript"),
    "dashboard.css": (STATIC / "dashboard.css", "text/css"),
    "flexibility.js": (STATIC / "flexibility.js", "text/javascript"),
    "favicon.svg": (STATIC / "favicon.svg", "image/svg+xml"),
    "placement.js": (STATIC / "placement.js", "text/javascript"),
    "provenance.js": (STATIC / "provenance.js", "text/javascript"),
}


@router.get("/favicon.ico")
@router.get("/favicon.svg")
def favicon() -> FileResponse:
    """The page's icon (browsers ask for /favicon.ico unasked; an SVG answers both)."""
    headers = {"Cache-Control": "max-age=86400"}
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers=headers)


@router.get("/")
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    path = _plotly_js()
    if path is None:
        raise NotAvailableError("charts", "plotly package (pip install plotly)")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


@router.get("/static/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, f"no asset {name!r}")
    path, media_type = ASSETS[name]
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})
