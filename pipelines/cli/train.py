"""`headroom train`: fit models and publish forecasts."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from pipelines.cli.output import console
from pipelines.config import get_settings
from pipelines.store import Store
from pipelines.train import run_train


def train(
    region: list[str] = typer.Option(None, "--region", "-r", help="Only these regions (repeatable)."),
    horizon: int = typer.Option(None, min=1, max=168, help="Hours to forecast (default from settings)."),
) -> None:
    """Fit a model per region and target, and publish headroom forecasts with quantiles."""
    settings = get_settings()
    with console.status("training"):
        report = run_train(Store(settings.tables), settings, datetime.now(UTC), region or None, horizon)
    console.print(
        f"published {report.rows:,} rows for {len(report.regions)} regions "
        f"(model {report.model_version}, data version {report.data_version})"
    )
    for name, reason in report.skipped.items():
        console.print(f"  skipped {name}: {reason}")


def register(app: typer.Typer) -> None:
    app.command()(train)
