"""`headroom models list | promote REGION VERSION`: the model registry by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import typer

from forecast import schema as S
from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings

models_app = typer.Typer(help="List model versions and promote one by hand.", no_args_is_help=True)


class DemandTarget(StrEnum):
    """Targets that have fitted models (capacity is held, headroom is derived)."""

    grid_load = S.GRID_LOAD
    ai_demand = S.AI_DEMAND


@models_app.command("list")
def list_models(
    region: str = typer.Option(None, "--region", "-r", help="Only this region."),
    target: DemandTarget = typer.Option(None, help="Only this target."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Registered versions, newest first; the champion of each region and target is marked."""
    from pipelines.registry.listing import list_versions

    frame = list_versions(get_settings(), region, target.value if target else None)
    if frame.is_empty():
        console.print("no model versions yet: run `headroom train`")
        return
    print_frame(frame, fmt, title="model versions")


@models_app.command("promote")
def promote(
    region: str = typer.Argument(..., help="Region id."),
    version: str = typer.Argument(..., help="Version to serve (see `headroom models list`)."),
    target: DemandTarget = typer.Option(None, help="Only this target (default: both)."),
) -> None:
    """Make a version the champion (roll back or forward) and re-publish the region's forecast."""
    from pipelines.store import open_store
    from pipelines.training.promote import promote_version

    settings = get_settings()
    targets = [target.value] if target else [S.GRID_LOAD, S.AI_DEMAND]
    report = promote_version(open_store(settings), settings, region, version, datetime.now(UTC), targets)
    served = report.served.get(region) if report else None
    console.print(f"{region}: {', '.join(targets)} now served by {version} (published as {served})")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
