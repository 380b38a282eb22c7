"""Headroom backtests: intervals from the components' joint sample paths, not subtracted quantiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation.candidates import ModelSetup
from forecast.evaluation.joint import MissingComponentError, headroom_actuals, split_components
from forecast.evaluation.plan import BacktestSpec
from forecast.evaluation.rolling import backtest

T0 = datetime(2024, 1, 1, tzinfo=UTC)
HOURS = 24 * 30


def components() -> pl.DataFrame:
    """AI demand moves against grid load (a = 100 - 0.5 g): headroom = 200 - 0.5 g."""
    t = np.arange(HOURS)
    rng = np.random.default_rng(5)
    load = 100 + 10 * np.sin(2 * np.pi * t / 24) + np.cumsum(rng.normal(0, 1.0, HOURS))
    ts = [T0 + timedelta(hours=int(h)) for h in t]
    parts = {S.CAPACITY: np.full(HOURS, 300.0), S.GRID_LOAD: load, S.AI_DEMAND: 100 - 0.5 * load}
    return pl.concat(
        pl.DataFrame({S.SERIES: name, S.REGION: "r", S.TS: ts, S.VALUE: values})
        for name, values in parts.items()
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def run(frame: pl.DataFrame, comps: pl.DataFrame | None = None) -> pl.DataFrame:
    # 400 samples, the number the baseline's own predict draws, so the draws are the same.
    spec = BacktestSpec(horizon=24, folds=3, models=("seasonal_naive_baseline",), samples=400)
    result, _ = backtest(frame, spec, ModelSetup(24), components=comps)
    return result.predictions.sort(S.CUTOFF, S.TS)


def test_headroom_backtest__intervals_come_from_joint_paths_not_subtracted_quantiles():
    comps = components()
    parts = split_components(comps)
    joint = run(headroom_actuals(parts), comps)
    load, ai = run(parts[S.GRID_LOAD]), run(parts[S.AI_DEMAND])
    width_load = (load["hi_80"] - load["lo_80"]).to_numpy()
    joint_width = (joint["hi_80"] - joint["lo_80"]).to_numpy()
    subtracted_lo = 300 - load["hi_80"] - ai["hi_80"]
    subtracted_hi = 300 - load["lo_80"] - ai["lo_80"]
    # Headroom = 200 - 0.5 g sample by sample: its interval is half the load's ...
    assert joint_width == pytest.approx(0.5 * width_load, rel=1e-9, abs=1e-9)
    # ... while subtracting quantiles adds the widths, as if the components could not offset.
    assert (subtracted_hi - subtracted_lo).to_numpy() == pytest.approx(1.5 * width_load, rel=1e-9, abs=1e-9)
    assert width_load.mean() > 0.5
    assert joint["y"].to_numpy() == pytest.approx((200 - 0.5 * load["y"]).to_numpy())
    assert joint["yhat"].to_numpy() == pytest.approx((200 - 0.5 * load["yhat"]).to_numpy())


def test_headroom_backtest__a_region_without_capacity_is_named():
    comps = components().with_columns(pl.lit("r").alias(S.REGION))
    extra = comps.filter(pl.col(S.SERIES) != S.CAPACITY).with_columns(pl.lit("s").alias(S.REGION))
    with pytest.raises(MissingComponentError, match=r"\['s'\] have no capacity"):
        split_components(pl.concat([comps, extra]))
