"""`headroom risk`, `siting` and `capacity`: queue risk, regions ranked, planned capacity changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl
import typer

from forecast.errors import InvalidInputError
from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings

if TYPE_CHECKING:  # the model stack loads only when a command runs (`headroom --help` stays fast)
    from forecast.planning.flexible import FlexibleRequest, HeadroomAtTarget
    from pipelines.planning.compare import QueueRiskComparison


# Options that `risk` and `siting` share, declared once.
HOLD_MONTHS = typer.Option(
    12, "--hold-months", min=0, max=60, help="Months after the target headroom must hold."
)
QUEUE_SOURCE = typer.Option(
    None, "--queue-source", help="Use only queue records from this source (repeatable)."
)
FLEXIBLE = typer.Option(
    False, "--flexible", help="Also answer for a load that accepts brief curtailment in peak hours."
)
CURTAILMENT_PCT = typer.Option(
    1.0, "--curtailment-pct", help="With --flexible: share of the load's energy it accepts to lose, %."
)


def _date(text: str, option: str = "--by") -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInputError(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None


def _flexible(flexible: bool, curtailment_pct: float) -> FlexibleRequest | None:
    from forecast.planning.flexible import FlexibleRequest

    return FlexibleRequest(curtailment_pct) if flexible else None


def _side_by_side(at: HeadroomAtTarget | None) -> list[tuple[str, str]]:
    """Rows of the risk table: firm headroom at the target, and flexible beside it when asked."""
    if at is None:
        return []
    h = at.firm.headroom_mw
    firm = f"{h.p10:,.0f} / {h.p50:,.0f} / {h.p90:,.0f}"
    rows = [(f"firm headroom {at.firm.month:%b %Y} p10/p50/p90 (MW)", firm)]
    if at.flexible is not None:
        f = at.flexible
        band = f"{f.headroom_mw.p10:,.0f} / {f.headroom_mw.p50:,.0f} / {f.headroom_mw.p90:,.0f}"
        rows += [
            (f"flexible headroom {f.year} at {f.curtailment_pct:g} % curtailment ({f.basis})", band),
            ("p_energized firm / flexible", f"{at.firm.p_energized:.0%} / {f.p_energized:.0%}"),
        ]
    return rows


def risk(
    region: str = typer.Argument(..., help="Region id, e.g. us-nova."),
    mw: float = typer.Option(..., "--mw", min=0.001, help="Requested MW."),
    by: str = typer.Option(..., "--by", help="Target date for being energized, YYYY-MM-DD."),
    scenario: str = typer.Option(
        "base", help="AI-demand scenario low, base or high (low,base,high compares)."
    ),
    as_of: str = typer.Option(
        None, "--as-of", help="Replay the queue as of this date (default: latest data)."
    ),
    hold_months: int = HOLD_MONTHS,
    queue_source: list[str] = QUEUE_SOURCE,
    flexible: bool = FLEXIBLE,
    curtailment_pct: float = CURTAILMENT_PCT,
    fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Probability that a request of MW in REGION is served (connected, with headroom) from the date;
    `--scenario low,base,high` compares scenarios side by side."""
    from pipelines.planning.compare import QueueRiskComparison, run_queue_risk_scenarios
    from pipelines.store import open_store

    settings = get_settings()
    result = run_queue_risk_scenarios(
        open_store(settings), settings, region, mw, _date(by), scenario,
        as_of=_date(as_of, "--as-of") if as_of else None, hold_months=hold_months,
        queue_sources=queue_source or None, flexible=_flexible(flexible, curtailment_pct),
    )
    if fmt is Format.json:
        print(result.model_dump_json(indent=1))
        return
    if isinstance(result, QueueRiskComparison):
        _print_comparison(result, mw, by)
        return
    w = result.wait_days
    years = {k: None if v is None else round(v / 365.25, 1) for k, v in w.model_dump().items()}
    extra = _side_by_side(result.headroom_at_target)
    frame = pl.DataFrame(
        {
            "measure": [
                "p_energized_by_target",
                "  = p_connected_by_target",
                f"  x p_headroom_holds (target month + {result.hold_months})",
                "risk",
                "headroom_shortfall_probability",
                "wait p10 / p50 / p90 (years)",
                *(m for m, _ in extra),
            ],
            "value": [
                f"{result.p_energized_by_target:.0%}",
                f"{result.p_connected_by_target:.0%}",
                f"{result.p_headroom_holds_given_connected:.0%}",
                result.risk,
                f"{result.headroom_shortfall_probability:.0%}",
                " / ".join("-" if v is None else f"{v:g}" for v in years.values()),
                *(v for _, v in extra),
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


def _print_comparison(result: QueueRiskComparison, mw: float, by: str) -> None:
    """One column per scenario: the served probability, its two parts, the risk and the shortfall."""
    blocks = result.by_scenario
    measures = {
        "p_energized_by_target": lambda r: f"{r.p_energized_by_target:.0%}",
        "p_connected_by_target": lambda r: f"{r.p_connected_by_target:.0%}",
        "p_headroom_holds": lambda r: f"{r.p_headroom_holds_given_connected:.0%}",
        "risk": lambda r: r.risk,
        "headroom_shortfall_probability": lambda r: f"{r.headroom_shortfall_probability:.0%}",
    }
    by_name = {n: [f(blocks[n]) for f in measures.values()] for n in result.scenarios}
    frame = pl.DataFrame({"measure": list(measures), **by_name})
    first = blocks[result.scenarios[0]]
    print_frame(
        frame, Format.table, title=f"Queue risk by scenario: {mw:g} MW in {result.region} by {by}",
        meta={"model_version": first.model_version, "data_as_of": first.data_as_of.isoformat()},
    )
    _print_provenance(first.provenance, first.warnings)


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
    hold_months: int = HOLD_MONTHS,
    queue_source: list[str] = QUEUE_SOURCE,
    flexible: bool = FLEXIBLE,
    curtailment_pct: float = CURTAILMENT_PCT,
    rank_by: str = typer.Option("firm", "--rank-by", help="firm or flexible (needs --flexible)."),
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
        flexible=_flexible(flexible, curtailment_pct),
        rank_by=rank_by,
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
                **_flex_columns(e.headroom_at_target),
            }
            for e in result.ranking
        ]
    )
    print_frame(
        frame,
        Format.table,
        title=f"Siting: {mw:g} MW by {by} (ranked by {result.rank_by})",
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


def _flex_columns(at: HeadroomAtTarget | None) -> dict[str, str]:
    if at is None or at.flexible is None:
        return {}
    return {"firm MW p50": f"{at.firm.headroom_mw.p50:,.0f}",
            "flex MW p50": f"{at.flexible.headroom_mw.p50:,.0f}",
            "p_energized flex": f"{at.flexible.p_energized:.0%}"}

capacity_app = typer.Typer(
    help="Planned capacity additions (MW > 0) and retirements (MW < 0) the outlook includes.",
    no_args_is_help=True,
)




@capacity_app.command("add")
def add(
    region: str = typer.Argument(..., help="Region id, e.g. us-nova."),
    mw: float = typer.Option(..., "--mw", help="MW of firm capacity: positive adds, negative retires."),
    start: str = typer.Option(..., "--from", help="Date it takes effect, YYYY-MM-DD."),
    note: str = typer.Option(None, "--note", help="Free text: the project, where the figure is from."),
) -> None:
    """Record a planned addition or retirement; the region's outlook, risk and siting include it."""
    from pipelines.planning.capacity_plan import add_planned_change
    from pipelines.store import open_store

    settings = get_settings()
    change = add_planned_change(open_store(settings), settings, region, mw, _date(start, "--from"), note)
    kind = "addition" if change.mw > 0 else "retirement"
    console.print(
        f"recorded {kind} {change.id}: {change.mw:+,.1f} MW in {region} from {change.from_date}",
        markup=False, highlight=False,
    )


@capacity_app.command("list")
def list_(
    region: str = typer.Option(None, "--region", help="Only this region."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
) -> None:
    """Planned capacity changes, by region and date."""
    from pipelines.planning.capacity_plan import list_planned_changes, region_plan
    from pipelines.store import open_store

    settings = get_settings()
    store = open_store(settings)
    changes = region_plan(store, settings, region) if region else list_planned_changes(store)
    columns = ["id", "region", "mw", "from_date", "note", "added_at"]
    frame = pl.DataFrame([c.model_dump() for c in changes]) if changes else pl.DataFrame(
        schema={c: pl.String for c in columns}
    )
    print_frame(frame.select(columns), fmt, title="Planned capacity changes (MW)")
    if not changes and fmt is Format.table:
        console.print("no planned changes recorded; add one with `headroom capacity add`", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(risk)
    app.command()(siting)
    app.add_typer(capacity_app, name="capacity")
