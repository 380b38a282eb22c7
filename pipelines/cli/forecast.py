"""`headroom forecast REGION`: print a published forecast."""

from __future__ import annotations

import typer

from pipelines.catalog import load_catalog
from pipelines.cli.output import Format, print_frame
from pipelines.config import get_settings
from pipelines.serving import PublishedForecasts, parse_quantiles, serve_forecast
from pipelines.store import Store


def forecast(
    region: str = typer.Argument(..., help="Region id, e.g. us-nova."),
    horizon: int = typer.Option(48, min=1, max=168, help="Hours ahead."),
    target: str = typer.Option("headroom", help="headroom, grid_load, ai_demand or capacity."),
    quantiles: str = typer.Option("0.1,0.5,0.9", help="Comma-separated quantiles in (0, 1)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Print the latest published hourly forecast of a region."""
    settings = get_settings()
    published = PublishedForecasts(Store(settings.tables))
    served = serve_forecast(
        load_catalog(settings), published, region, target, horizon, parse_quantiles(quantiles)
    )
    wide = served.frame.pivot(on="quantile", index="ts", values="value").sort("ts")
    meta = {
        "region": served.region,
        "target": served.target,
        "unit": "MW",
        "model_version": served.model_version,
        "issued_at": served.issued_at.isoformat(),
        "data_as_of": served.data_as_of.isoformat(),
    }
    frame = (
        served.frame
        if fmt is not Format.table
        else wide.rename({c: f"q{c}" for c in wide.columns if c != "ts"})
    )
    print_frame(frame, fmt, title=f"{target} forecast for {region} (MW)", meta=meta)


def register(app: typer.Typer) -> None:
    app.command()(forecast)
