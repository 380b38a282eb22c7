"""`headroom serve`: run the HTTP service with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from pipelines.cli.output import console
from pipelines.config import get_settings

# By import string: pipelines never imports the web app.
APP_FACTORY = "service.app:create_app"


def serve(
    host: str = typer.Option(None, help="Bind address (default HEADROOM_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default HEADROOM_PORT or 8000)."),
) -> None:
    """Serve the API and dashboard."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    base = f"http://{host}:{port}"
    console.print(
        f"serving {base}  (API docs {base}/docs, health {base}/healthz, "
        f"forecasts {base}/v1/regions/us-nova/forecast)"
    )
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command()(serve)
