"""`headroom place`: when and where in the published week a flexible training job fits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import typer

from forecast.errors import InvalidInputError
from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings


class BadTimeError(InvalidInputError):
    """A time option that is not ISO 8601 (names the option)."""

    def __init__(self, option: str, text: str) -> None:
        super().__init__(f"{option} must be an ISO 8601 time such as 2026-06-16T08:00Z, got {text!r}")


def _time(option: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise BadTimeError(option, text) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def place(
    mw: float = typer.Option(..., "--mw", help="Constant power the job draws while running, MW."),
    hours: int = typer.Option(..., "--hours", help="Running hours the job needs."),
    earliest: str = typer.Option(None, "--earliest", help="Earliest start, ISO 8601 (UTC if no offset)."),
    deadline: str = typer.Option(None, "--deadline", help="Finish by, ISO 8601 (UTC if no offset)."),
    region: list[str] = typer.Option(None, "--region", help="Only this region (repeat for more)."),
    split: bool = typer.Option(False, "--split", help="Also offer plans split over regions."),
    max_regions: int = typer.Option(2, "--max-regions", help="Most regions a split plan uses."),
    interruptible: bool = typer.Option(
        False, "--interruptible", help="The job may pause when headroom is short and resume."
    ),
    top: int = typer.Option(10, "--top", help="Most plans shown."),
    as_of: str = typer.Option(None, "--as-of", help="Answer as if now were this time (default: now)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Plans for a job of MW for HOURS, ranked by the probability it runs uninterrupted."""
    from forecast.placement import PlacementQuery
    from pipelines.placement.answers import run_placement
    from pipelines.store import open_store

    settings = get_settings()
    query = PlacementQuery(
        mw=mw, hours=hours, earliest=_time("--earliest", earliest), deadline=_time("--deadline", deadline),
        regions=tuple(region) if region else None, split=split, max_regions=max_regions,
        interruptible=interruptible, top=top,
    )
    answer = run_placement(
        open_store(settings), settings, query, _time("--as-of", as_of) or datetime.now(UTC)
    ).as_dict()
    if fmt is not Format.table:
        print(json.dumps(answer, indent=1))
        return
    plans: list[dict] = answer["plans"]  # type: ignore[assignment]
    if interruptible:
        rows = [{"#": i + 1, "region": p["region"], "p_finish": f"{p['p_finish_by_deadline']:.0%}",
                 "expected finish": p["expected_finish"] or "-", "P90 finish": p["p90_finish"] or "-"}
                for i, p in enumerate(plans)]
    else:
        rows = [{"#": i + 1,
                 "where": p.get("region") or " + ".join(f"{m:g} MW {r}" for r, m in p["regions"].items()),
                 "start": p["start"], "end": p["end"], "p_uninterrupted": f"{p['p_uninterrupted']:.0%}",
                 "curtailed MWh": p["expected_curtailed_mwh"]} for i, p in enumerate(plans)]
    print_frame(
        pl.DataFrame(rows), Format.table,
        title=f"Placement: {mw:g} MW for {hours} h, {answer['window_start']} .. {answer['window_end']}",
        meta={"issued_at": answer["issued_at"], "model_version": answer["model_version"],
              "paths": answer["n_samples"]},
    )
    if plans:
        console.print(f"best: {plans[0]['reason']}", markup=False, highlight=False)
    for note in answer["notes"]:  # type: ignore[attr-defined]
        console.print(f"note: {note}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(place)
