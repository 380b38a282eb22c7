"""`drift`: compare each champion's live error with its backtest error; retrain where it grew."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from forecast import schema as S
from forecast.evaluation.drift import drift_ratios, live_errors
from forecast.evaluation.metrics import seasonal_naive_scale
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.jobs.locks import job_lock
from pipelines.jobs.runs import record_run
from pipelines.registry.promotion import DEMANDS
from pipelines.registry.versions import Registry
from pipelines.store import Store, load_series
from pipelines.training.train import run_retrain


def measure_drift(store: Store, settings: Settings) -> pl.DataFrame:
    """Per region and demand target: the champion's live MASE over the recent window against its
    backtest MASE (`region, target, version, scored_hours, live_mase, backtest_mase, ratio`)."""
    registry = Registry(settings)
    regions = list(load_catalog(settings))
    frames = []
    for target in DEMANDS:
        actual = load_series(store, target, regions)
        if actual.is_empty():
            continue
        since = actual[S.TS].max() - timedelta(hours=settings.drift_window_hours)
        champions = {r: registry.champion_record(r, target) for r in regions}
        versions = {r: c.version for r, c in champions.items() if c and c.backtest.get("mase")}
        if not versions:
            continue
        published = (
            store.scan("forecasts")
            .filter(
                (pl.col(S.TARGET) == target) & (pl.col(S.QUANTILE) == 0.5) & (pl.col(S.TS) > since)
                & pl.col(S.REGION).is_in(list(versions))
            )
            .select(S.REGION, S.ISSUED_AT, S.TS, S.VALUE, S.MODEL_VERSION)
            .collect()
        )
        # Only what the champion itself published counts as its live error.
        mine = published.filter(
            pl.col(S.MODEL_VERSION).str.contains(pl.col(S.REGION).replace_strict(versions), literal=True)
        )
        errors = live_errors(mine, actual.filter(pl.col(S.TS) > since), settings.retrain_horizon)
        scales = seasonal_naive_scale(actual, 24, S.VALUE)
        expected = {r: float(champions[r].backtest["mase"]) for r in versions}  # type: ignore[union-attr]
        frames.append(
            drift_ratios(errors, scales, expected).with_columns(
                pl.lit(target).alias(S.TARGET),
                pl.col(S.REGION).replace_strict(versions).alias("version"),
            )
        )
    columns = [S.REGION, S.TARGET, "version", "scored_hours", "live_mase", "backtest_mase", "ratio"]
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in columns[:3]} | {
            "scored_hours": pl.UInt32, "live_mase": pl.Float64, "backtest_mase": pl.Float64,
            "ratio": pl.Float64,
        })
    return pl.concat([f.select(columns) for f in frames]).sort(S.REGION, S.TARGET)


def run_drift(store: Store, settings: Settings, now: datetime) -> dict:
    """Measure drift and retrain the regions whose error grew beyond `drift_ratio` (a run of its own)."""
    table = measure_drift(store, settings)
    drifted = sorted(set(table.filter(pl.col("ratio") > settings.drift_ratio)[S.REGION].to_list()))
    ratios = table.select(S.REGION, S.TARGET, "ratio").iter_rows()
    figures: dict = {
        "checked": table.height,
        "ratios": {f"{r}/{t}": round(x, 3) for r, t, x in ratios},
        "drifted": drifted,
        "threshold": settings.drift_ratio,
    }
    if not drifted:
        return figures
    with job_lock(settings, "retrain") as acquired:
        if not acquired:
            return {**figures, "retrain": "skipped: a retrain is already running"}
        started = datetime.now(now.tzinfo)
        try:
            report = run_retrain(store, settings, started, regions=drifted)
        except Exception as exc:
            record_run(store, "retrain", started, "error", {"triggered_by": "drift", "regions": drifted},
                       repr(exc))
            raise
        record_run(store, "retrain", started, "ok", {**report.figures(), "triggered_by": "drift"})
    return {**figures, "retrain": report.figures()["promoted"]}
