"""`--compare`: the peers run on exactly our folds and come back in our columns."""

from __future__ import annotations

import importlib
import os
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation.candidates import ModelSetup
from forecast.evaluation.plan import BacktestSpec, plan
from pipelines.backtest.peers import PeerUnavailableError, run_peers

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def frame(hours: int = 24 * 40) -> pl.DataFrame:
    t = np.arange(hours)
    rng = np.random.default_rng(2)
    return pl.DataFrame(
        {
            S.REGION: np.repeat(["a", "b"], hours),
            S.TS: [T0 + timedelta(hours=int(h)) for h in t] * 2,
            S.VALUE: np.tile(100 + 10 * np.sin(2 * np.pi * t / 24), 2) + rng.normal(0, 1, 2 * hours),
        }
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def _require(name: str) -> None:
    """CI installs the bench extra, so a missing peer library fails there instead of skipping."""
    if os.environ.get("CI"):
        importlib.import_module(name)
    else:
        pytest.importorskip(name, reason="the bench extra (.[bench]) is not installed")


def test_run_peers__statsforecast_and_mlforecast_on_our_folds_at_any_levels():
    _require("statsforecast")
    _require("mlforecast")
    data = frame()
    spec = BacktestSpec(horizon=24, folds=2, levels=(50, 90))
    plan_ = plan(data, spec, ModelSetup(24))
    preds, timings, notes = run_peers(data, spec, plan_, ["statsforecast", "mlforecast"])
    assert set(preds[S.MODEL]) == {"SeasonalNaive", "AutoETS", "MSTL", "mlforecast_lgbm"}
    assert preds.columns[-4:] == ["lo_50", "hi_50", "lo_90", "hi_90"]
    ours = plan_.cutoffs.select(S.REGION, S.CUTOFF).sort(S.REGION, S.CUTOFF)
    for (_,), part in preds.group_by(S.MODEL):
        assert part.select(S.REGION, S.CUTOFF).unique().sort(S.REGION, S.CUTOFF).equals(ours)
        assert part.height == 2 * 2 * 24
        assert (part["lo_90"] <= part["lo_50"]).all() and (part["hi_50"] <= part["hi_90"]).all()
    assert timings.height == 4 * ours.height and notes


def test_run_peers__an_unknown_peer_is_named():
    data = frame(24 * 10)
    spec = BacktestSpec(horizon=24, folds=2)
    with pytest.raises(PeerUnavailableError, match="prophet"):
        run_peers(data, spec, plan(data, spec, ModelSetup(24)), ["prophet"])
