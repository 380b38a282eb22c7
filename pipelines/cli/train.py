"""`headroom train`: fit models and publish forecasts, inline or fanned out by region."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import typer

from pipelines.cli.output import console
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import get_settings


class TrainModels(StrEnum):
    """Which models `train` fits."""

    baseline = "baseline"
    default = "default"


def train(
    region: list[str] = typer.Option(None, "--region", "-r", help="Only these regions (repeatable)."),
    horizon: int = typer.Option(None, min=1, max=168, help="Hours to forecast (default from settings)."),
    executor: str = typer.Option(None, help="Fan out by region: local (process pool) or dask."),
    dask_address: str = typer.Option(None, help="Scheduler of a Dask cluster, tcp://host:8786."),
    workers: int = typer.Option(None, min=1, help="Worker processes (local pool or LocalCluster)."),
    models: TrainModels = typer.Option(
        None, help="baseline (seasonal naive) or default (each region's best on its backtest)."
    ),
    if_unserved: bool = typer.Option(
        False, "--if-unserved", help="Do nothing when a forecast issue is already published."
    ),
) -> None:
    """Fit a model per region and target, and publish headroom forecasts with quantiles."""
    from rich.progress import Progress

    from pipelines.executor import open_executor
    from pipelines.runs import last_published_version
    from pipelines.store import open_store
    from pipelines.training.train import run_train, train_groups

    settings = get_settings()
    if models is not None:
        settings = settings.model_copy(update={"train_models": models.value})
    store = open_store(settings)
    if if_unserved and last_published_version(store) is not None:
        console.print("forecasts are already published; not trained (the scheduler keeps them fresh)")
        return
    now = datetime.now(UTC)
    with open_executor(executor, dask_address, workers) as pool:
        if pool is None:
            with console.status("training"):
                report = run_train(store, settings, now, region or None, horizon)
        else:
            if pool.dashboard:
                console.print(f"Dask dashboard: {pool.dashboard}")
            wanted = region or list(load_catalog(settings))
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task(f"training on {pool.name}", total=len(train_groups(wanted)))
                report = run_train(
                    store, settings, now, wanted, horizon, pool, lambda: progress.advance(task)
                )
    console.print(
        f"published {report.rows:,} rows for {len(report.regions)} regions "
        f"(model {report.model_version}, data version {report.data_version})"
    )
    for name, reason in report.skipped.items():
        console.print(f"  skipped {name}: {reason}")


def register(app: typer.Typer) -> None:
    app.command()(train)
