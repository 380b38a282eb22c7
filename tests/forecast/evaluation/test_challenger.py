"""Champion/challenger: the holdout split, the scored folds of a fitted model, the decision."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.evaluation.challenger import HoldoutParams, backtest_fitted, decide, split_holdout
from forecast.evaluation.metrics import seasonal_naive_scale

T0 = datetime(2026, 3, 1, tzinfo=UTC)
OFFSETS = {0.025: -3.0, 0.1: -1.0, 0.5: 0.0, 0.9: 1.0, 0.975: 3.0}
PARAMS = HoldoutParams(folds=3, horizon=4, season=2, coverage_low=0.7, coverage_high=0.9)


def _hours(region: str, values: list[float], start: datetime = T0) -> pl.DataFrame:
    ts = [start + timedelta(hours=i) for i in range(len(values))]
    return pl.DataFrame({S.REGION: region, S.TS: ts, S.VALUE: values}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )


def test_split_holdout__keeps_each_regions_own_last_folds_out():
    frame = pl.concat([_hours("a", [float(i) for i in range(30)]), _hours("b", [1.0] * 20)])
    train, origins = split_holdout(frame, PARAMS)
    assert train.group_by(S.REGION).len().sort(S.REGION)["len"].to_list() == [18, 8]
    a = origins.filter(pl.col(S.REGION) == "a")["origin"].to_list()
    assert a == [T0 + timedelta(hours=h) for h in (17, 21, 25)]  # the first origin ends the training data


class LastValue:
    """A stub model: the last known value, an interval of +-1 (80 %) and +-3 (95 %) around it."""

    def update(self, frame: pl.DataFrame) -> "LastValue":
        self.last = frame.sort(S.TS).group_by(S.REGION).agg(pl.col(S.TS).last(), pl.col(S.VALUE).last())
        return self

    def predict(self, horizon: int, quantiles) -> pl.DataFrame:
        rows = [
            (region, ts + timedelta(hours=h), q, value + OFFSETS[q])
            for region, ts, value in self.last.iter_rows()
            for h in range(1, horizon + 1)
            for q in quantiles
        ]
        return pl.DataFrame(
            rows, schema={S.REGION: pl.String, S.TS: S.UTC_TS, S.QUANTILE: pl.Float64, S.VALUE: pl.Float64},
            orient="row",
        )


def test_backtest_fitted__scores_the_re_anchored_forecasts_against_a_plain_loop():
    values = [1.0, 3.0, 2.0, 5.0, 4.0, 4.5] * 3 + [2.0, 4.0, 3.5, 6.0] * 3
    frame = _hours("a", values)
    train, origins = split_holdout(frame, PARAMS)
    scales = seasonal_naive_scale(train, PARAMS.season, S.VALUE)
    figures = backtest_fitted(LastValue(), frame, origins, scales, PARAMS)["a"]
    errors, inside80, inside95 = [], [], []
    for k in range(PARAMS.folds):
        origin = train.height - 1 + k * PARAMS.horizon  # index of the last hour known
        for h in range(1, PARAMS.horizon + 1):
            e = values[origin + h] - values[origin]
            errors.append(abs(e))
            inside80.append(-1.0 <= e <= 1.0)
            inside95.append(-3.0 <= e <= 3.0)
    known = values[: train.height]
    scale = sum(abs(known[i] - known[i - 2]) for i in range(2, len(known))) / (len(known) - 2)
    assert figures["folds"] == PARAMS.folds
    assert figures["mae"] == pytest.approx(sum(errors) / len(errors))
    assert figures["mase"] == pytest.approx(sum(e / scale for e in errors) / len(errors))
    assert figures["coverage_80"] == pytest.approx(sum(inside80) / len(inside80))
    assert figures["coverage_95"] == pytest.approx(sum(inside95) / len(inside95))
    assert figures["width_80"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("challenger", "champion", "promoted", "words"),
    [
        ({"mase": 0.8, "coverage_80": 0.8}, {"mase": 0.9}, True, "< champion"),
        ({"mase": 0.9, "coverage_80": 0.8}, {"mase": 0.9}, False, ">= champion"),
        ({"mase": 0.5, "coverage_80": 0.6}, {"mase": 0.9}, False, "outside the band"),
        ({"mase": 0.5, "coverage_80": 0.95}, None, False, "outside the band"),
        ({"mase": 0.9, "coverage_80": 0.8}, None, True, "no champion"),
        ({}, {"mase": 0.9}, False, "no backtest"),
    ],
)
def test_decide__better_mase_and_band_coverage_or_the_champion_stays(challenger, champion, promoted, words):
    ok, reason = decide(challenger, champion, PARAMS)
    assert ok is promoted and words in reason
