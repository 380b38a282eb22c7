"""The backtest fits per fold on data up to the cutoff and scores the next horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation import fold_metrics
from forecast.evaluation.backtest import backtest
from forecast.models.naive import SeasonalNaive, SeasonalNaiveParams

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def frame(hours: int) -> pl.DataFrame:
    t = np.arange(hours)
    return pl.DataFrame({
        S.REGION: "r", S.TS: [T0 + timedelta(hours=int(h)) for h in t],
        S.VALUE: 100 + 10 * np.sin(2 * np.pi * t / 24) + t * 0.1,
    }).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def test_backtest__folds_predict_the_hours_after_each_cutoff_with_the_seasonal_rule():
    data = frame(24 * 20)
    make = lambda: SeasonalNaive(SeasonalNaiveParams(season_length=24, n_samples=50))  # noqa: E731
    preds, scales = backtest(make, data, horizon=6, n_folds=3, step=6, season=24)
    assert preds.height == 3 * 6 and scales.height == 3
    assert (preds[S.TS] > preds[S.CUTOFF]).all()
    assert ((preds[S.TS] - preds[S.CUTOFF]).dt.total_hours() <= 6).all()
    # the trend adds 0.1 per hour, so the daily rule is 2.4 low everywhere, in and out of sample
    assert scales["scale"].to_list() == pytest.approx([2.4] * 3)
    # the median adds the rule's own past errors (always +2.4), so it is exact: MASE 0
    metrics = fold_metrics(preds, scales)
    assert metrics["mase"].to_list() == pytest.approx([0.0] * 3, abs=1e-9)
