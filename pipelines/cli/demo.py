"""`headroom demo`: load the embedded demo data."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from pipelines.cli.output import console
from pipelines.config.settings import get_settings


def demo(
    days: int = typer.Option(730, help="Days of hourly history to load (at most 731)."),
    seed: int = typer.Option(7, help="Seed of the synthetic series."),
    synthetic_regions: int = typer.Option(0, help="Add this many fully synthetic regions."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when the store holds data."),
) -> None:
    """Load real replayed grid load with synthetic capacity, AI demand and queue requests."""
    from pipelines.demo import run_demo
    from pipelines.store import open_store

    settings = get_settings()
    store = open_store(settings)
    if if_empty and store.version("observations") is not None:
        console.print(f"store at {settings.tables} already holds data; demo not loaded")
        return
    with console.status("loading demo data"):
        report = run_demo(store, settings, datetime.now(UTC), days, seed, synthetic_regions)
    console.print(
        f"loaded {report.observations:,} observations and {report.queue_requests:,} queue requests "
        f"for {len(report.regions)} regions, ending {report.ends_at:%Y-%m-%d %H:%M} UTC"
    )
    for region, shift in report.shift_days.items():
        console.print(f"  {region}: real grid_load replayed +{shift} days (original ts = ts - {shift} d)")


def register(app: typer.Typer) -> None:
    app.command()(demo)
