"""Drift: live errors of published medians, and their MASE against the backtest's."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation.drift import drift_ratios, live_errors

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _hours(region: str, values: list[float], start: datetime = T0) -> pl.DataFrame:
    ts = [start + timedelta(hours=i) for i in range(len(values))]
    return pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: values}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )


def test_live_errors__score_the_first_hours_of_each_issue_against_observations():
    issued = [T0, T0 + timedelta(hours=1)]
    forecasts = pl.concat([
        _hours("a", [10.0, 10.0, 10.0], start=issued[0] + timedelta(hours=1)).with_columns(
            pl.lit(issued[0]).cast(S.UTC_TS).alias(S.ISSUED_AT)),
        _hours("a", [20.0, 20.0, 20.0], start=issued[1] + timedelta(hours=1)).with_columns(
            pl.lit(issued[1]).cast(S.UTC_TS).alias(S.ISSUED_AT)),
    ])
    actual = _hours("a", [0.0, 12.0, 12.0, 12.0, 12.0])
    errors = live_errors(forecasts, actual, horizon=2).sort(S.ISSUED_AT, "step")
    assert errors["step"].to_list() == [1, 2, 1, 2]
    assert errors["ae"].to_list() == [2.0, 2.0, 8.0, 8.0]
    ratios = drift_ratios(errors, pl.DataFrame({S.REGION: ["a"], "scale": [2.0]}), {"a": 1.0})
    assert ratios.row(0, named=True)["ratio"] == pytest.approx(2.5)


def test_drift_ratios__per_region_against_a_plain_loop_and_only_where_a_backtest_exists():
    errors = pl.DataFrame({
        S.REGION: ["a", "a", "a", "b", "b", "c"], S.ISSUED_AT: [T0] * 6, "step": [1, 2, 3, 1, 2, 1],
        "ae": [1.0, 4.0, 7.0, 3.0, 5.0, 9.0],
    })
    scales = pl.DataFrame({S.REGION: ["a", "b", "c"], "scale": [2.0, 4.0, 1.0]})
    got = drift_ratios(errors, scales, {"a": 0.5, "b": 2.0})  # c has no backtest figures
    assert got[S.REGION].to_list() == ["a", "b"]
    for region, ae, scale, expected in (("a", [1, 4, 7], 2.0, 0.5), ("b", [3, 5], 4.0, 2.0)):
        row = got.filter(pl.col(S.REGION) == region).row(0, named=True)
        live = sum(e / scale for e in ae) / len(ae)
        assert row["scored_hours"] == len(ae)
        assert row["live_mase"] == pytest.approx(live)
        assert row["ratio"] == pytest.approx(live / expected)
