"""`headroom ingest PATH...`: ingest files, show each batch report as a table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import typer
from rich.table import Table

from forecast.errors import InvalidInputError
from pipelines.cli.output import console
from pipelines.config.settings import Settings, get_settings
from pipelines.sources import FORMATS, SourceFormatError

if TYPE_CHECKING:
    from pipelines.ingest.observations import BatchReport
    from pipelines.store import Store


def report_table(reports: list[BatchReport]) -> Table:
    """One line per batch, quarantine reasons spelled out."""
    table = Table(title="ingest")
    for column in ("source", "read", "accepted", "updated", "unchanged", "quarantined", "reasons"):
        table.add_column(column, justify="left" if column in ("source", "reasons") else "right")
    for r in reports:
        reasons = ", ".join(f"{k}={v}" for k, v in r.by_reason.items())
        table.add_row(
            r.source,
            *(str(x) for x in (r.rows_read, r.accepted, r.updated, r.unchanged, r.quarantined)),
            reasons,
        )
    return table


def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Files to ingest.", exists=True, dir_okay=False),
    fmt: str = typer.Option("auto", "--format", help=f"One of {', '.join(FORMATS)}, or queue."),
    region: str = typer.Option(None, "--region", help="Region for identifiers the catalog lacks."),
    series: str = typer.Option(None, "--series", help="Series of a long file without one."),
    strict: bool = typer.Option(False, "--strict", help="Exit 2 when any row was quarantined."),
    layout: str = typer.Option(
        None, "--queue-layout", help="Queue file layout: pjm, miso, ercot, normalized, lbnl, gridstatus."
    ),
    iso: str = typer.Option(None, "--iso", help="ISO of a gridstatus-style queue table."),
) -> None:
    """Ingest grid data or queue files; rows that fail validation are quarantined with a reason."""
    from rich.progress import Progress

    from pipelines.store import open_store

    if fmt not in (*FORMATS, "queue"):
        raise InvalidInputError(f"--format must be one of {', '.join(FORMATS)}, queue; not {fmt!r}")
    settings = get_settings()
    store = open_store(settings)
    if fmt == "queue":
        _ingest_queues(store, settings, paths, layout, iso, strict)
        return
    reports = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(paths))
        for path in paths:
            progress.update(task, description=f"ingesting {path.name}")
            reports.append(_ingest_one(store, settings, path, fmt, region, series))
            progress.advance(task)
    console.print(report_table(reports))
    if strict and any(r.quarantined for r in reports):
        raise typer.Exit(2)


def _ingest_one(
    store: Store, settings: Settings, path: Path, fmt: str, region: str | None, series: str | None
) -> BatchReport:
    """One file; a file polars cannot parse (empty, unbalanced quotes, not UTF-8) is a one-line error."""
    from pipelines.ingest.observations import ingest_file

    try:
        return ingest_file(store, settings, path, fmt, region, series)
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceFormatError(path, f"a readable {fmt} file", reason) from exc


def _ingest_queues(
    store: Store, settings: Settings, paths: list[Path], layout: str | None, iso: str | None, strict: bool
) -> None:
    """Queue files go to queue_requests (upserted by request), rejected rows to quarantine."""
    from pipelines.ingest.queues import ingest_queue_file

    table = Table(title="queue ingest")
    for column in ("source", "stored", "quarantined", "reasons"):
        table.add_column(column)
    quarantined = 0
    for path in paths:
        counts = ingest_queue_file(store, settings, path, layout, iso)
        quarantined += counts["rejected"]
        reasons = ", ".join(f"{k}={v}" for k, v in counts["rejected_by_reason"].items())
        table.add_row(counts["source"], str(counts["stored"]), str(counts["rejected"]), reasons)
    console.print(table)
    if strict and quarantined:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add `ingest` to the headroom command."""
    app.command("ingest")(ingest_command)
