"""`headroom scheduler` and `headroom jobs list | run NAME | history`."""

from __future__ import annotations

import signal
import threading

import polars as pl
import typer

from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings

jobs_app = typer.Typer(help="List, run and inspect the scheduled jobs.", no_args_is_help=True)


def scheduler() -> None:
    """Run the scheduler alone (one per deployment; API replicas use `serve --no-scheduler`)."""
    from pipelines.jobs.schedule import JOBS
    from pipelines.jobs.scheduler import start_scheduler

    settings = get_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    running = start_scheduler(settings)
    console.print(f"scheduler running jobs {', '.join(JOBS)} (job store {settings.scheduler_db})")
    stop.wait()
    running.shutdown(wait=True)
    console.print("scheduler stopped")


@jobs_app.command("list")
def list_jobs(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Each job with its schedule and next run."""
    from pipelines.jobs.schedule import JOBS
    from pipelines.jobs.scheduler import next_runs

    settings = get_settings()
    upcoming = next_runs(settings)
    frame = pl.DataFrame(
        [
            {
                "job": name,
                "schedule": job.schedule(settings),
                "next_run": str(upcoming.get(name) or "-"),
                "what": job.description,
            }
            for name, job in JOBS.items()
        ]
    )
    print_frame(frame, fmt, title="jobs")


@jobs_app.command("run")
def run(name: str = typer.Argument(..., help="Job name.")) -> None:
    """Run one job now and print how it ended."""
    from pipelines.jobs.runner import run_job

    result = run_job(name)
    decisions = result.figures.get("decisions", {})
    brief = {k: v for k, v in result.figures.items() if k not in ("decisions", "served")}
    console.print(f"{result.job}: {result.status} {brief}" + (f"\n{result.error}" if result.error else ""))
    for region, by_target in sorted(decisions.items()):
        for target, decision in by_target.items():
            verdict = "promoted" if decision["promoted"] else "kept champion"
            console.print(f"  {region}/{target}: {verdict}: {decision['reason']}", markup=False)
    if result.status == "error":
        raise typer.Exit(1)


@jobs_app.command("history")
def history(
    limit: int = typer.Option(20, help="Most recent runs to show."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """The most recent runs from the runs table."""
    from pipelines.runs import recent_runs
    from pipelines.store import open_store

    settings = get_settings()
    runs = recent_runs(open_store(settings), limit)
    print_frame(runs.select("job", "status", "started_at", "finished_at", "figures", "error"), fmt, "runs")


def register(app: typer.Typer) -> None:
    app.command()(scheduler)
    app.add_typer(jobs_app, name="jobs")
