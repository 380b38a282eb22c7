"""`headroom serve`: run the HTTP service with uvicorn."""

from __future__ import annotations

import typer

from pipelines.cli.output import console
from pipelines.config.settings import get_settings

# By import string: pipelines never imports the web app.
APP_FACTORY = "service.app:create_app"


def serve(
    host: str = typer.Option(None, help="Bind address (default HEADROOM_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default HEADROOM_PORT or 8000)."),
    no_scheduler: bool = typer.Option(
        False, "--no-scheduler", help="Do not run the scheduled jobs here (API replicas)."
    ),
) -> None:
    """Serve the API and dashboard, with the job scheduler unless --no-scheduler."""
    import uvicorn

    from pipelines.jobs.scheduler import start_scheduler

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    base = f"http://{host}:{port}"
    console.print(
        f"serving {base}  (API docs {base}/docs, health {base}/healthz, "
        f"forecasts {base}/v1/regions/us-nova/forecast)"
    )
    scheduler = None if no_scheduler else start_scheduler(settings)
    if scheduler is not None:
        console.print(f"scheduler running (job store {settings.scheduler_db})")
    try:
        # The app logs one line per request with its request id; uvicorn's access log would repeat it.
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="info", access_log=False)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
