"""`headroom forecast REGION`: print a published forecast."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl
import typer

from forecast.errors import InvalidInputError
from pipelines.cli.output import Format, print_frame
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings, get_settings

if TYPE_CHECKING:
    from pipelines.planning.compare import OutlookComparison


def forecast(
    region: str = typer.Argument(..., help="Region id, e.g. us-nova."),
    horizon: int = typer.Option(48, min=1, max=168, help="Hours ahead."),
    target: str = typer.Option("headroom", help="headroom, grid_load, ai_demand or capacity."),
    quantiles: str = typer.Option("0.1,0.5,0.9", help="Comma-separated quantiles in (0, 1)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    outlook: bool = typer.Option(False, "--outlook", help="The monthly planning outlook instead."),
    months: int = typer.Option(60, min=1, max=60, help="Months of outlook (with --outlook)."),
    scenario: str = typer.Option(
        "base", help="AI-demand scenario low, base or high (with --outlook); low,base,high compares."
    ),
    below: float = typer.Option(
        None, "--below", help="P(minimum hourly headroom < this MW) over the window instead."
    ),
    start: str = typer.Option(None, "--start", help="With --below: first hour, ISO 8601 (UTC if bare)."),
    end: str = typer.Option(None, "--end", help="With --below: hours before this are counted."),
) -> None:
    """Print the latest published hourly forecast of a region, its monthly outlook, or the chance
    that headroom dips below a level in a window (--below)."""
    from pipelines.serving.localtime import with_local_time
    from pipelines.serving.published import PublishedForecasts, parse_quantiles, serve_forecast
    from pipelines.store import open_store

    settings = get_settings()
    if outlook:
        _print_outlook(settings, region, months, scenario, fmt)
        return
    if below is not None:
        _print_shortfall(settings, region, below, _moment(start, "--start"), _moment(end, "--end"), fmt)
        return
    published = PublishedForecasts(open_store(settings))
    served = serve_forecast(
        load_catalog(settings), published, region, target, horizon, parse_quantiles(quantiles)
    )
    timezone = load_catalog(settings)[region].timezone
    wide = with_local_time(served.frame.pivot(on="quantile", index="ts", values="value").sort("ts"), timezone)
    meta = {
        "region": served.region,
        "target": served.target,
        "unit": "MW",
        "model_version": served.model_version,
        "issued_at": served.issued_at.isoformat(),
        "data_as_of": served.data_as_of.isoformat(),
    }
    local = {"ts": "ts (UTC)", "ts_local": f"ts_local ({timezone})"}
    frame = (
        served.frame
        if fmt is not Format.table
        else wide.rename({c: local.get(c, f"q{c}") for c in wide.columns})
    )
    print_frame(frame, fmt, title=f"{target} forecast for {region} (MW)", meta=meta)


def _print_outlook(settings: Settings, region: str, months: int, scenario: str, fmt: Format) -> None:
    from pipelines.planning.compare import OutlookComparison, run_outlook_scenarios
    from pipelines.store import open_store

    result = run_outlook_scenarios(open_store(settings), settings, region, months, scenario)
    if isinstance(result, OutlookComparison):
        _print_outlook_comparison(result, months, fmt)
        return
    body = result.model_dump(mode="json")
    rows = pl.json_normalize(body.pop("rows"), separator="_")
    print_frame(
        rows, fmt, title=f"{months}-month outlook for {region}, {scenario} AI scenario (MW)", meta=body
    )


def _print_outlook_comparison(result: OutlookComparison, months: int, fmt: Format) -> None:
    """JSON: the blocks by scenario; table or CSV: each month's headroom band per scenario."""
    if fmt is Format.json:
        print(result.model_dump_json(indent=1))
        return
    columns = {"month": [r.month for r in result.by_scenario[result.scenarios[0]].rows]}
    for name in result.scenarios:
        for q in ("p10", "p50", "p90"):
            columns[f"{name}_headroom_{q}"] = [r.headroom[q] for r in result.by_scenario[name].rows]
    title = f"{months}-month headroom outlook for {result.region} by scenario (MW)"
    print_frame(pl.DataFrame(columns), fmt, title=title)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{option} must be ISO 8601 like 2026-06-01T14:00Z, got {text!r}") from None


def _print_shortfall(
    settings: Settings, region: str, below: float, start: datetime | None, end: datetime | None, fmt: Format
) -> None:
    from pipelines.placement.shortfall import run_shortfall
    from pipelines.store import open_store

    answer = asdict(run_shortfall(open_store(settings), settings, region, below, start, end))
    band = answer.pop("min_headroom_mw")
    frame = pl.DataFrame([{**answer, **{f"min_headroom_{k}": v for k, v in band.items()}}])
    if fmt is Format.table:
        frame = pl.DataFrame({"measure": frame.columns, "value": [str(v) for v in frame.row(0)]})
    print_frame(frame, fmt, title=f"P(min headroom < {below:g} MW) in {region}")


def register(app: typer.Typer) -> None:
    app.command()(forecast)
