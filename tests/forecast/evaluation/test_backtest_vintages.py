"""Operator vintages: at a cutoff only forecasts issued by then count; scored as the model `operator`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation import results as R
from forecast.evaluation.candidates import ModelSetup
from forecast.evaluation.plan import BacktestSpec
from forecast.evaluation.rolling import backtest
from forecast.evaluation.vintages import OPERATOR, known_at, operator_predictions

T0 = datetime(2024, 1, 1, tzinfo=UTC)
HOURS = 24 * 8


def actuals() -> pl.DataFrame:
    t = np.arange(HOURS)
    return pl.DataFrame(
        {
            S.REGION: "r",
            S.TS: [T0 + timedelta(hours=int(h)) for h in t],
            S.VALUE: 100 + 10 * np.sin(2 * np.pi * t / 24),
        }
    ).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def vintages(frame: pl.DataFrame) -> pl.DataFrame:
    """Two issues per hour: a day-ahead one (truth + 1, issued 12 h before) and a late one issued
    1 h after the hour with an absurd value: a backtest that ever uses it is reading the future."""
    day_ahead = frame.select(
        S.REGION,
        S.TS,
        (pl.col(S.TS) - timedelta(hours=12)).alias(S.ISSUED_AT),
        (pl.col(S.VALUE) + 1).alias(S.VALUE),
    )
    late = frame.select(
        S.REGION, S.TS, (pl.col(S.TS) + timedelta(hours=1)).alias(S.ISSUED_AT), pl.lit(1e9).alias(S.VALUE)
    )
    return pl.concat([day_ahead, late])


def test_known_at__keeps_the_newest_issue_by_the_cutoff_and_nothing_later():
    frame = actuals()
    cutoff = T0 + timedelta(hours=100)
    cutoffs = pl.DataFrame({S.REGION: ["r"], S.CUTOFF: [cutoff]}).with_columns(
        pl.col(S.CUTOFF).cast(S.UTC_TS)
    )
    known = known_at(vintages(frame), cutoffs)
    assert (known[S.ISSUED_AT] <= cutoff).all()
    ahead = known.filter(pl.col(S.TS) > cutoff)
    # issued 12 h ahead: the first 12 hours after the cutoff are known, hour 13 is not yet
    assert ahead[S.TS].max() == cutoff + timedelta(hours=12)
    assert (ahead[S.VALUE] < 1e6).all()


def test_backtest__a_vintage_issued_after_the_cutoff_is_never_used():
    frame = actuals()
    spec = BacktestSpec(horizon=24, folds=3)
    result, _ = backtest(frame, spec, ModelSetup(24), vintages=vintages(frame))
    op = result.predictions.filter(pl.col(S.MODEL) == OPERATOR)
    assert op.height == 3 * 12  # hours 13-24 after each cutoff had no issue yet: left out, not filled
    assert ((op[S.TS] - op[S.CUTOFF]).dt.total_hours() <= 12).all()
    assert op["yhat"].to_list() == pytest.approx((op["y"] + 1).to_list())
    # its intervals come from its own past errors (always -1): a point interval at y
    assert op["lo_80"].to_list() == pytest.approx(op["y"].to_list())
    table = R.summary(R.per_fold(result.predictions, result.scales, result.timings))
    row = table.filter((pl.col(S.MODEL) == OPERATOR) & (pl.col(S.REGION) == R.ALL)).row(0, named=True)
    assert row["mae"] == pytest.approx(1.0) and row["coverage_80"] == pytest.approx(100.0)


def test_operator_predictions__without_past_errors_the_intervals_are_null():
    frame = actuals()
    cutoff = T0 + timedelta(hours=30)
    test = (
        frame.filter(pl.col(S.TS) > cutoff)
        .head(6)
        .select(S.REGION, pl.lit(cutoff).cast(S.UTC_TS).alias(S.CUTOFF), S.TS, pl.col(S.VALUE).alias("y"))
    )
    only_ahead = vintages(frame).filter(pl.col(S.ISSUED_AT) > T0 + timedelta(hours=18))
    preds = operator_predictions(only_ahead, frame.filter(pl.col(S.TS) > T0 + timedelta(hours=40)), test)
    assert preds.height == 6 and preds["lo_80"].null_count() == 6
