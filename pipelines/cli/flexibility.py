"""`headroom flexibility`: curtailment-enabled headroom per region from a long file or the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import typer

from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings

if TYPE_CHECKING:
    from pipelines.flexibility.answers import ForwardBands

COLUMNS = ("limit_pct", "headroom_mw", "curtailed_hours_per_year", "mean_event_hours", "retained_50",
           "retained_75", "retained_90", "winter_share", "summer_share", "shoulder_share")


def flexibility(
    data: Path = typer.Option(None, "--data", help="Long CSV/Parquet: region, ts, y|value|load_mw."),
    region: list[str] = typer.Option(None, "--region", "-r", help="Only these regions (repeatable)."),
    timezone: list[str] = typer.Option(
        None, "--timezone", help="IANA zone for every region, or REGION=ZONE (repeatable); "
        "default the catalog's zone, UTC for regions it does not know."
    ),
    years: str = typer.Option(None, "--years", help="Whole local calendar years FIRST-LAST, e.g. 2016-2024."),
    limits: str = typer.Option("0.25,0.5,1,5", "--limits", help="Curtailment limits in %, comma-separated."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
    forward: bool = typer.Option(
        None, "--forward/--history-only", help="Also the next five years' P10/P50/P90 per AI-demand scenario "
        "(default: yes from the store, no with --data).", show_default=False,
    ),
) -> None:
    """MW of new constant load each region absorbs if it accepts curtailment of a share of its energy.

    From the store it also prints the forward band (as `GET /v1/regions/{region}/flexibility`
    does); with --data only history unless --forward asks (a file holds no AI demand or capacity).
    """
    from pipelines.flexibility.answers import run_flexibility, run_forward_bands
    from pipelines.flexibility.inputs import Timezones, parse_limits, parse_years
    from pipelines.store import open_store

    settings = get_settings()
    zones, span = Timezones.parse(timezone), parse_years(years, "--years")
    chosen = parse_limits(limits, "--limits")
    store = None if data is not None else open_store(settings)
    results = run_flexibility(store, settings, region or None, data, zones, span, chosen)
    bands = None
    if forward if forward is not None else data is None:
        bands = run_forward_bands(store, settings, [r.region for r in results], data, zones, chosen)
    if fmt is Format.json:
        print(json.dumps({"regions": [with_outlook(r.model_dump(mode="json"), bands) for r in results]},
                         indent=1))
        return
    rows = pl.DataFrame([
        {"region": r.region, "timezone": r.timezone, "years": f"{r.years[0]}-{r.years[1]}",
         "summer_mw": r.thresholds_mw.summer, "winter_mw": r.thresholds_mw.winter,
         "filled_hours": r.filled_hours, "load_factor": r.load_factor,
         **{c: getattr(lim, c) for c in COLUMNS}}
        for r in results for lim in r.limits
    ])
    if fmt is Format.csv:
        print_frame(rows if bands is None else _csv_with_forward(rows, bands), fmt)
        return
    shown = rows.select(
        "region", "years",
        pl.col("summer_mw").round(0).cast(pl.Int64).alias("summer MW"),
        pl.col("winter_mw").round(0).cast(pl.Int64).alias("winter MW"),
        pl.col("load_factor").round(3).cast(pl.String).alias("LF"),
        pl.col("limit_pct").cast(pl.String).alias("limit %"),
        pl.col("headroom_mw").round(0).cast(pl.Int64).alias("headroom MW"),
        pl.col("curtailed_hours_per_year").round(0).cast(pl.Int64).alias("h/yr"),
        pl.col("mean_event_hours").round(1).cast(pl.String).alias("event h"),
        *[pl.col(c).round(2).cast(pl.String).alias(c.replace("retained_", "r").replace("_share", ""))
          for c in COLUMNS[4:]],
    )
    zones_used = ", ".join(f"{r.region}={r.timezone}" for r in results)
    print_frame(shown, fmt, title="Curtailment-enabled headroom (seasonal peak thresholds)",
                meta={"basis": "seasonal_peak", "timezones": zones_used})
    filled = ", ".join(f"{r.region}: {r.filled_hours}" for r in results)
    console.print(f"hours filled (missing or implausible): {filled}", markup=False, highlight=False)
    if bands is not None:
        _print_forward(bands)


def with_outlook(region: dict, bands: ForwardBands | None) -> dict:
    """A region's JSON object with its forward band as `outlook` (the HTTP answer's shape)."""
    if bands is None:
        return region
    name = region["region"]
    if name in bands.missing:
        return {**region, "outlook": None, "outlook_missing": bands.missing[name]}
    own = bands.frame.filter(pl.col("region") == name)
    return {**region, "outlook": {
        "as_of": own["as_of"][0].isoformat(), "basis": own["basis"][0],
        "rows": own.select("scenario", "year", "limit_pct", "p10", "p50", "p90").to_dicts(),
    }}


def _csv_with_forward(history: pl.DataFrame, bands: ForwardBands) -> pl.DataFrame:
    """History rows (`kind` historical) and forward rows (`kind` forward) in one long CSV."""
    past = history.with_columns(pl.lit("historical").alias("kind"))
    if bands.frame.is_empty():
        return past
    ahead = bands.frame.with_columns(pl.lit("forward").alias("kind"), pl.col("as_of").cast(pl.String))
    return pl.concat([past, ahead], how="diagonal_relaxed")


def _print_forward(bands: ForwardBands) -> None:
    """The forward band as a table: headroom MW P10/P50/P90 per region, scenario, year and limit."""
    if not bands.frame.is_empty():
        shown = bands.frame.sort("region", "scenario", "year", "limit_pct").select(
            "region", "scenario", "year", pl.col("limit_pct").cast(pl.String).alias("limit %"),
            *[pl.col(q).round(0).cast(pl.Int64).alias(f"{q.upper()} MW") for q in ("p10", "p50", "p90")],
        )
        per_region = bands.frame.select("region", "basis", "as_of").unique().sort("region")
        basis = ", ".join(f"{r}={b}" for r, b, _ in per_region.iter_rows())
        as_of = ", ".join(f"{r}={d}" for r, _, d in per_region.iter_rows())
        print_frame(shown, Format.table, title="Forward curtailment-enabled headroom (P10/P50/P90)",
                    meta={"basis": basis, "as_of": as_of})
    for name, why in bands.missing.items():
        console.print(f"no forward band for {name}: {why}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(flexibility)
