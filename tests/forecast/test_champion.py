"""Champion/challenger arithmetic: holdout split, scores by hand, the decision, live errors."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecast import schema as S
from forecast.champion import (
    HoldoutParams,
    decide,
    drift_ratios,
    live_errors,
    score,
    seasonal_scale,
    split_holdout,
)
from forecast.models import SeasonalNaive
from forecast.models.naive import SeasonalNaiveParams
from forecast.routing import ByRegion

T0 = datetime(2026, 3, 1, tzinfo=UTC)
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


def test_score__mase_and_coverage_by_hand():
    preds = pl.DataFrame({
        S.REGION: ["a"] * 4, "k": [0, 0, 1, 1], "y": [10.0, 12.0, 14.0, 20.0],
        "q_0.025": [0.0] * 4, "q_0.1": [9.0, 9.0, 15.0, 15.0], "q_0.5": [11.0, 12.0, 16.0, 16.0],
        "q_0.9": [13.0] * 2 + [17.0] * 2, "q_0.975": [99.0] * 4,
    })
    scales = pl.DataFrame({S.REGION: ["a"], "scale": [2.0]})
    row = score(preds, scales).row(0, named=True)
    assert row["mae"] == pytest.approx((1 + 0 + 2 + 4) / 4)
    assert row["mase"] == pytest.approx(1.75 / 2)
    assert row["coverage_80"] == pytest.approx(0.5) and row["coverage_95"] == 1.0
    assert row["width_80"] == pytest.approx(3.0) and row["folds"] == 2


def test_seasonal_scale__mean_absolute_seasonal_difference():
    scale = seasonal_scale(_hours("a", [1.0, 2.0, 4.0, 2.0, 1.0]), 2)
    assert scale["scale"][0] == pytest.approx((3 + 0 + 3) / 3)


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


def test_by_region__routes_each_region_to_its_own_fitted_model():
    frame = pl.concat([_hours("a", [1.0, 2.0] * 24), _hours("b", [3.0] * 47 + [9.0])])
    daily = SeasonalNaive(SeasonalNaiveParams(season_length=2)).fit(frame)
    flat = SeasonalNaive(SeasonalNaiveParams(season_length=1)).fit(frame)
    routed = ByRegion({"a": daily, "b": flat}).update(frame)
    medians = routed.predict(2, (0.5,)).sort(S.REGION, S.TS)[S.VALUE].to_list()
    assert medians == pytest.approx([1.0, 2.0, 9.0, 9.0])  # b by the last value, not [3, 9]
    with pytest.raises(TypeError, match="update"):
        routed.fit(frame)
