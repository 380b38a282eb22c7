"""Ensemble weights learnt on backtest folds; default model per region; baseline for short history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.ensemble import WeightedEnsemble, simplex_weights
from forecast.models.calibrated import CalibrationParams
from forecast.models.gbm import LightGBMParams
from forecast.models.naive import SeasonalNaiveRule
from forecast.selection import BASELINE, SelectionParams, fit_default

T0 = datetime(2024, 1, 1, tzinfo=UTC)
CAL = CalibrationParams(origins=8, stride=5, min_train=120, neighbours=1)


def series(region: str, hours: int, seed: int, base: float) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    value = base * (1 + 0.1 * np.sin(2 * np.pi * t / 24) + 0.04 * np.sin(2 * np.pi * t / 168))
    value = value + rng.normal(0, base * 0.01, hours)
    return pl.DataFrame({
        S.REGION: region, S.TS: [T0 + timedelta(hours=int(h)) for h in t], S.VALUE: value,
    }).with_columns(pl.col(S.TS).cast(S.UTC_TS))


def test_simplex_weights__recover_a_known_mixture_and_stay_on_the_simplex():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 3))
    actual = points @ np.array([0.7, 0.3, 0.0])
    w = simplex_weights(points, actual)
    np.testing.assert_allclose(w, [0.7, 0.3, 0.0], atol=1e-3)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)


def test_ensemble__residuals_are_the_weighted_sum_of_component_residuals():
    data = series("a", 500, 1, 100.0)
    cal = CalibrationParams(max_horizon=6, origins=8, stride=5, min_train=120)
    daily, weekly = SeasonalNaiveRule(24, cal), SeasonalNaiveRule(168, cal)
    weekly.name = "seasonal_naive_168"
    ens = WeightedEnsemble([daily, weekly]).fit(data)
    w = dict(ens.weights.select(S.MODEL, "weight").iter_rows())
    assert sum(w.values()) == pytest.approx(1.0)
    combined = w[daily.name] * daily.residuals("a") + w[weekly.name] * weekly.residuals("a")
    np.testing.assert_allclose(ens.residuals("a"), combined)
    point = w[daily.name] * daily.point(6)["yhat"] + w[weekly.name] * weekly.point(6)["yhat"]
    np.testing.assert_allclose(ens.point(6)["yhat"], point)


def test_ensemble__refuses_components_with_the_same_name():
    with pytest.raises(ValueError, match="distinct names"):
        WeightedEnsemble([SeasonalNaiveRule(24), SeasonalNaiveRule(168)])


@pytest.fixture(scope="module")
def selected():
    data = pl.concat([series("long", 800, 1, 1000.0), series("short", 300, 2, 50.0)])
    params = SelectionParams(
        candidates=("seasonal_naive", "lightgbm", "ensemble"), calibration=CAL,
        lightgbm=LightGBMParams(n_estimators=30, rows_budget=3000, min_rows_per_region=1000, num_threads=1),
    )
    calendars, timezones = {"long": "US"}, {"long": "America/New_York"}
    return fit_default(data, calendars, timezones, horizon=12, season=24, params=params)


def test_fit_default__short_history_falls_back_to_the_baseline_and_says_so(selected):
    model, report = selected
    short = report.filter(pl.col(S.REGION) == "short").row(0, named=True)
    assert short["model"] == BASELINE and short["fallback"] and short["chosen"]
    assert "seasonal-naive baseline" in short["note"]
    assert model.choice["short"] == BASELINE


def test_fit_default__chooses_the_lowest_mase_candidate_for_each_long_region(selected):
    model, report = selected
    rows = report.filter(pl.col(S.REGION) == "long")
    assert set(rows["model"]) == {"seasonal_naive", "lightgbm", "ensemble"}
    chosen = rows.filter("chosen").row(0, named=True)
    assert chosen["mase"] == rows["mase"].min() and model.choice["long"] == chosen["model"]
    assert rows["chosen"].sum() == 1 and not rows["fallback"].any()


def test_default_model__predicts_and_samples_every_region(selected):
    model, _ = selected
    pred = model.predict(12, [0.1, 0.5, 0.9])
    assert set(pred[S.REGION]) == {"long", "short"} and pred.height == 2 * 12 * 3
    paths = model.sample_paths(12, 20, seed=1)
    assert paths.group_by(S.REGION).len()["len"].to_list() == [240, 240]


def test_default_model__update_keeps_every_region_when_a_component_and_the_ensemble_both_serve():
    data = pl.concat([series("a", 800, 1, 1000.0), series("b", 800, 3, 500.0)])
    params = SelectionParams(
        candidates=("seasonal_naive", "lightgbm", "ensemble"), calibration=CAL,
        lightgbm=LightGBMParams(n_estimators=30, rows_budget=3000, min_rows_per_region=1000, num_threads=1),
    )
    model, _ = fit_default(data, {}, {}, horizon=12, season=24, params=params)
    model.choice = {"a": "lightgbm", "b": "ensemble"}  # one region a component, the other the ensemble
    model.update(data)
    assert sorted(model.predict(12, [0.5])[S.REGION].unique()) == ["a", "b"]
    assert sorted(model.sample_paths(12, 5, seed=1)[S.REGION].unique()) == ["a", "b"]
