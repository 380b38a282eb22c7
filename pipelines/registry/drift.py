"""Drift: each champion's live error against its backtest error (the `drift` job retrains where it grew)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from forecast import schema as S
from forecast.evaluation.drift import drift_ratios, live_errors
from forecast.evaluation.metrics import seasonal_naive_scale
from pipelines.config.region_files import load_catalog
from pipelines.config.settings import Settings
from pipelines.registry.promotion import DEMANDS
from pipelines.registry.versions import Registry
from pipelines.store import Store, load_series


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


def drift_figures(table: pl.DataFrame, threshold: float) -> dict:
    """What a drift check found: ratios per champion and the regions beyond `threshold`."""
    drifted = sorted(set(table.filter(pl.col("ratio") > threshold)[S.REGION].to_list()))
    ratios = table.select(S.REGION, S.TARGET, "ratio").iter_rows()
    return {
        "checked": table.height,
        "ratios": {f"{r}/{t}": round(x, 3) for r, t, x in ratios},
        "drifted": drifted,
        "threshold": threshold,
    }
