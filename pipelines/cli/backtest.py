"""`headroom backtest`: rolling-origin backtest of the models (or of the queue model), with reports."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import typer

from forecast import schema as S
from forecast.errors import InvalidInputError
from pipelines.cli.output import Format, console, print_frame
from pipelines.config.settings import get_settings

POINT_SHOWN = ("mase", "mae", "smape", "pinball")


def shown_fields(levels: tuple[int, ...]) -> tuple[str, ...]:
    """The printed columns: point metrics, coverage per level, Winkler of the narrowest, fit time."""
    return (*POINT_SHOWN, *(f"coverage_{v}" for v in levels), f"winkler_{min(levels)}", "fit_seconds")


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InvalidInputError(f"{what} takes comma-separated whole numbers, got {text!r}") from None


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (text or "").split(",") if v.strip())


def _queue(as_of: str | None, fmt: Format) -> None:
    from pipelines.backtest.source import parse_as_of_date
    from pipelines.planning.queue_stats import queue_backtest, queue_contrasts
    from pipelines.store import open_store

    settings = get_settings()
    report = queue_backtest(open_store(settings), settings, parse_as_of_date(as_of))
    meta = {"as_of": report.as_of.isoformat(), "concordance": round(report.concordance, 3)}
    summary = report.summary
    if fmt is Format.table:
        summary = summary.with_columns(
            pl.col(c).round(3).cast(pl.String) for c in ("brier_model", "brier_km")
        )
    print_frame(summary, fmt, title="Queue model: Brier score on held-out requests", meta=meta)
    if fmt is Format.table:
        print_frame(report.km_vs_catalog, fmt, title="Kaplan-Meier median wait vs catalog range")
        contrast = queue_contrasts(open_store(settings), settings, report.as_of)
        if contrast.height:
            print_frame(contrast, fmt, title="What is quoted (median of completed) vs the survival view")


def _outlook(data: Path | None, regions: list[str] | None, fmt: Format, every: int, history: int) -> None:
    from forecast.planning.outlook import OutlookParams
    from forecast.planning.peak_backtest import PeakBacktestParams
    from pipelines.planning.outlook_backtest import run_outlook_backtest
    from pipelines.store import open_store

    settings = get_settings()
    params = PeakBacktestParams(
        min_history_months=history,
        step_months=every,
        outlook=OutlookParams(n_samples=settings.n_samples, seed=settings.seed),
    )
    store = None if data is not None else open_store(settings)
    report = run_outlook_backtest(store, settings, data, regions, params)
    shown = report.scores
    if fmt is Format.table:
        shown = shown.with_columns(
            pl.col(c).round(2).cast(pl.String)
            for c in ("p50_bias_pct", "p50_abs_error_pct", "coverage_p10_p90", "band_width_pct")
        )
    meta = {"data": report.source, "ahead_months": f"{params.min_ahead}-{params.max_ahead}"}
    print_frame(shown, fmt, title="Outlook backtest: monthly peak, P50 error and P10-P90 coverage", meta=meta)


def backtest(
    data: Path = typer.Option(None, "--data", help="Long CSV/Parquet: region, ts, y|value|load_mw."),
    region: list[str] = typer.Option(None, "--region", "-r", help="Only these regions (repeatable)."),
    target: str = typer.Option(S.GRID_LOAD, help="grid_load, ai_demand, headroom, queue or outlook."),
    horizon: int = typer.Option(24, min=1, max=168, help="Hours per fold (H)."),
    folds: int = typer.Option(7, min=1, help="Rolling origins (K)."),
    step: int = typer.Option(None, min=1, help="Hours between origins (S, default H)."),
    season: int = typer.Option(24, min=1, help="Season M of MASE and the seasonal-naive rule."),
    window: str = typer.Option("expanding", help="expanding or sliding training window."),
    train_hours: int = typer.Option(24 * 365, min=1, help="Length of the sliding window, hours."),
    refit: str = typer.Option("every", help="every, N (every N folds) or never."),
    models: str = typer.Option(
        "seasonal_naive_baseline,seasonal_naive", help="Models by name, comma-separated."
    ),
    levels: str = typer.Option("80,95", help="Interval levels, %."),
    seed: int = typer.Option(0, help="Seed of every random draw."),
    days: int = typer.Option(None, min=1, help="Only each region's last DAYS days."),
    as_of: str = typer.Option(None, "--as-of", help="Observations table version (queue: a date)."),
    executor: str = typer.Option(None, help="Fan out groups of regions: local (process pool) or dask."),
    dask_address: str = typer.Option(None, help="Scheduler of a Dask cluster, tcp://host:8786."),
    workers: int = typer.Option(None, min=1, help="Worker processes (local pool or LocalCluster)."),
    json_out: Path = typer.Option(None, "--json", help="Write the results document here."),
    predictions: Path = typer.Option(
        None, "--predictions", help="Write every fold's predictions (CSV/Parquet)."
    ),
    report: Path = typer.Option(
        None, "--report", help="Write a self-contained HTML report into this folder."
    ),
    compare: str = typer.Option(None, help="Peers on the same folds: statsforecast,mlforecast."),
    by_step: bool = typer.Option(False, "--by-step", help="Add rows per horizon step to --json."),
    origin_step: int = typer.Option(
        12, "--origin-step", min=1, help="Outlook target: months between origins."
    ),
    history_months: int = typer.Option(
        24, "--history-months", min=8, help="Outlook target: complete months before the first origin."
    ),
    fmt: Format = typer.Option(Format.table, "--format", help="How to print the summary: table, json, csv."),
) -> None:
    """Score models on rolling origins: the last K windows of H hours, each fitted on data before it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from forecast.evaluation.metrics import check_levels
    from forecast.evaluation.plan import BacktestSpec, parse_refit
    from forecast.evaluation.results import ALL
    from pipelines.backtest import engine as bt
    from pipelines.backtest.source import load_backtest_data
    from pipelines.executor import open_executor

    if target == "queue":
        _queue(as_of, fmt)
        return
    if target == "outlook":
        _outlook(data, region or None, fmt, origin_step, history_months)
        return
    chosen = check_levels(_ints(levels, "--levels"))
    spec = BacktestSpec(
        horizon=horizon,
        folds=folds,
        step=step,
        season=season,
        window=window,
        train_hours=train_hours,
        refit=parse_refit(refit),
        models=_names(models),
        levels=chosen,
        seed=seed,
    )
    loaded = load_backtest_data(get_settings(), target, data, region or None, as_of, days)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("folds x regions", total=None)

        def on_plan(plan) -> None:
            progress.update(task, total=bt.units(spec, plan))

        def advance(n: int) -> None:
            progress.advance(task, n)

        with open_executor(executor, dask_address, workers) as pool:
            if pool is not None and pool.dashboard:
                console.print(f"Dask dashboard: {pool.dashboard}")
            result = bt.run_backtest(loaded, spec, pool, advance, _names(compare), on_plan)
    if json_out is not None:
        bt.write_json(result, json_out, by_step)
    if predictions is not None:
        bt.write_predictions(result, predictions)
    if report is not None:
        from pipelines.backtest.report import write_report

        write_report(result, report)
    fields = shown_fields(chosen)
    shown = result.table.sort(pl.col(S.REGION) != ALL, S.REGION, "mase", nulls_last=True).select(
        S.MODEL, S.REGION, *fields, "folds"
    )
    meta = {**result.data.source, "best_model": result.best_model}
    if fmt is Format.table:  # three decimals: MASE and coverage need them
        shown = shown.with_columns(pl.col(c).round(3).cast(pl.String).fill_null("-") for c in fields)
    print_frame(shown, fmt, title=f"Backtest: {folds} folds x {horizon} h", meta=meta)
    if fmt is Format.table:
        for note in result.notes:
            console.print(note, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(backtest)
