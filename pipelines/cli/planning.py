"""`headroom risk` and `headroom siting`: queue risk of one request, and regions ranked for it."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import typer

from forecast.errors import InvalidInputError
from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings


def _date(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInputError(f"--by must be a date as YYYY-MM-DD, got {text!r}") from None


def risk(
    region: str = typer.Argument(..., help="Region id, e.g. us-nova."),
    mw: float = typer.Option(..., "--mw", min=0.001, help="Requested MW."),
    by: str = typer.Option(..., "--by", help="Target date for being energized, YYYY-MM-DD."),
    scenario: str = typer.Option("base", help="AI-demand scenario: low, base or high."),
    as_of: str = typer.Option(
        None, "--as-of", help="Replay the queue as of this date (default: latest data)."
    ),
    hold_months: int = typer.Option(
        12, "--hold-months", min=0, max=60, help="Months after the target headroom must hold."
    ),
    queue_source: list[str] = typer.Option(
        None, "--queue-source", help="Use only queue records from this source (repeatable)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Probability that a request of MW in REGION is served (connected, with headroom) from the date."""
    from pipelines.planning.answers import run_queue_risk
    from pipelines.store import open_store

    settings = get_settings()
    result = run_queue_risk(
        open_store(settings),
        settings,
        region,
        mw,
        _date(by),
        _date(as_of) if as_of else None,
        scenario,
        hold_months,
        queue_source or None,
    )
    if fmt is Format.json:
        print(result.model_dump_json(indent=1))
        return
    w = result.wait_days
    years = {k: None if v is None else round(v / 365.25, 1) for k, v in w.model_dump().items()}
    frame = pl.DataFrame(
        {
            "measure": [
                "p_energized_by_target",
                "  = p_connected_by_target",
                f"  x p_headroom_holds (target month + {result.hold_months})",
                "risk",
                "headroom_shortfall_probability",
                "wait p10 / p50 / p90 (years)",
            ],
            "value": [
                f"{result.p_energized_by_target:.0%}",
                f"{result.p_connected_by_target:.0%}",
                f"{result.p_headroom_holds_given_connected:.0%}",
                result.risk,
                f"{result.headroom_shortfall_probability:.0%}",
                " / ".join("-" if v is None else f"{v:g}" for v in years.values()),
            ],
        }
    )
    print_frame(
        frame,
        Format.table,
        title=f"Queue risk: {mw:g} MW in {region} by {by}",
        meta={"model_version": result.model_version, "data_as_of": result.data_as_of.isoformat()},
    )
    for driver in result.drivers:
        console.print(f"- {driver}", markup=False, highlight=False)
    _print_provenance(result.provenance, result.warnings)


def _print_provenance(provenance: list, warnings: list[str]) -> None:
    for entry in provenance:
        kind = "SYNTHETIC" if entry.synthetic else "real"
        as_of = entry.as_of.isoformat() if entry.as_of else "-"
        console.print(f"  source {entry.series}: {entry.source} ({kind}, as of {as_of})", markup=False)
    for warning in warnings:
        console.print(f"! {warning}", markup=False, highlight=False)


def siting(
    mw: float = typer.Option(..., "--mw", min=0.001, help="Requested MW."),
    by: str = typer.Option(..., "--by", help="Target date for being energized, YYYY-MM-DD."),
    rack_kw: float = typer.Option(None, "--rack-kw", help="Planned rack density, kW per rack."),
    regions: str = typer.Option(None, "--regions", help="Comma-separated region ids (default: all)."),
    scenario: str = typer.Option("base", help="AI-demand scenario: low, base or high."),
    hold_months: int = typer.Option(
        12, "--hold-months", min=0, max=60, help="Months after the target headroom must hold."
    ),
    queue_source: list[str] = typer.Option(
        None, "--queue-source", help="Use only queue records from this source (repeatable)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Regions ranked by the probability of being served (connected, with headroom) from the date."""
    from pipelines.planning.answers import run_siting
    from pipelines.store import open_store

    settings = get_settings()
    wanted = [r.strip() for r in regions.split(",") if r.strip()] if regions else None
    result = run_siting(
        open_store(settings),
        settings,
        mw,
        _date(by),
        rack_kw,
        wanted,
        scenario=scenario,
        hold_months=hold_months,
        queue_sources=queue_source or None,
    )
    if fmt is Format.json:
        print(result.model_dump_json(indent=1))
        return
    frame = pl.DataFrame(
        [
            {
                "rank": e.rank,
                "region": e.region,
                "p_energized": f"{e.p_energized_by_target:.0%}",
                "risk": e.risk,
                "wait p50 (years)": "-" if e.wait_days.p50 is None else f"{e.wait_days.p50 / 365.25:.1f}",
                "headroom short": f"{e.headroom_shortfall_probability:.0%}",
                "rack kW": "above max" if e.rack_density_exceeded else "ok",
            }
            for e in result.ranking
        ]
    )
    print_frame(
        frame,
        Format.table,
        title=f"Siting: {mw:g} MW by {by}",
        meta={"model_version": result.model_version, "data_as_of": result.data_as_of.isoformat()},
    )
    for entry in result.ranking:
        console.print(f"{entry.rank}. {entry.name}", markup=False, highlight=False)
        for reason in entry.reasons[1:]:
            console.print(f"   - {reason}", markup=False, highlight=False)
    for note in result.skipped:
        console.print(f"skipped {note}", markup=False, highlight=False)
    for warning in result.warnings:
        console.print(f"! {warning}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(risk)
    app.command()(siting)
