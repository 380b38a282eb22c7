"""Ensemble weights learnt on backtest folds; default model per region; baseline for short history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecast import schema as S
from forecast.conformal import conformal_offsets
from forecast.ensemble import WeightedEnsemble, inverse_error_weights, simplex_weights
from forecast.models.calibrated import CalibrationParams
from forecast.models.gbm import LightGBMParams
from forecast.models.naive import SeasonalNaiveRule
from forecast.schema import STEP
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


def test_inverse_error_weights__hand_worked_example():
    # column a misses by 1 every row, column b by 3: weights 1/1 : 1/3, i.e. 0.75 : 0.25
    actual = np.array([10.0, 20.0, 30.0, np.nan])
    points = np.array([[11.0, 13.0], [19.0, 23.0], [31.0, 27.0], [0.0, 0.0]])
    np.testing.assert_allclose(inverse_error_weights(points, actual), [0.75, 0.25])
    exact = np.column_stack([actual, actual + 1])
    np.testing.assert_allclose(inverse_error_weights(exact, actual), [1.0, 0.0])
    np.testing.assert_allclose(inverse_error_weights(points, np.full(4, np.nan)), [0.5, 0.5])


def test_conformal_offsets__tail_widen_moves_only_the_tails_about_the_median():
    residuals = np.arange(1.0, 200.0).reshape(-1, 1)  # one step, residuals 1..199, median 100
    qs = [0.025, 0.1, 0.5, 0.9, 0.975]
    plain = conformal_offsets(residuals, qs, 1, neighbours=0)[:, 0]
    wide = conformal_offsets(residuals, qs, 1, neighbours=0, tail_widen=1.1)[:, 0]
    np.testing.assert_allclose(plain, [5.0, 20.0, 100.0, 180.0, 195.0])
    np.testing.assert_allclose(wide, [100 - 1.1 * 95, 20.0, 100.0, 180.0, 100 + 1.1 * 95])


def test_conformal_offsets__lead_widen_stretches_every_quantile_about_the_median_with_the_lead():
    # Residuals 1..199 at each of 168 steps (median 100): step s's offsets lie 1 + 0.1 s / 168 times
    # as far from 100, so a week ahead the 80 % interval is 10 % wider; the 95 % tails also x 1.1.
    residuals = np.tile(np.arange(1.0, 200.0).reshape(-1, 1), (1, 168))
    qs = [0.025, 0.1, 0.5, 0.9, 0.975]
    wide = conformal_offsets(residuals, qs, 168, neighbours=0, tail_widen=1.1, lead_widen=0.1)
    for step in (1, 84, 168):
        g = 1 + 0.1 * step / 168
        expected = [100 - g * 1.1 * 95, 100 - g * 80, 100.0, 100 + g * 80, 100 + g * 1.1 * 95]
        np.testing.assert_allclose(wide[:, step - 1], expected)


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


def test_ensemble__lead_bands_learn_and_apply_weights_of_their_own():
    # Bounds (24,): steps 1-24 weigh each member by 1 / its MAE over calibration steps 1-24, steps
    # 25-48 by 1 / its MAE over steps 25-48 (hand-computed from the members' residuals); the
    # ensemble's residuals and point follow the same bands.
    data = series("a", 600, 1, 100.0)
    cal = CalibrationParams(max_horizon=48, origins=8, stride=24, min_train=240)
    daily, weekly = SeasonalNaiveRule(24, cal), SeasonalNaiveRule(168, cal)
    weekly.name = "seasonal_naive_168"
    ens = WeightedEnsemble([daily, weekly], "inverse_mae", lead_bounds=(24,)).fit(data)
    expected, combined, point = {}, [], []
    for lead, steps in ((0, slice(0, 24)), (1, slice(24, 48))):
        inv = {m.name: 1 / np.nanmean(np.abs(m.residuals("a")[:, steps])) for m in (daily, weekly)}
        w = {n: v / sum(inv.values()) for n, v in inv.items()}
        got = dict(ens.weights.filter(pl.col("lead") == lead).select(S.MODEL, "weight").iter_rows())
        assert got == pytest.approx(w)
        expected[lead] = w
        combined.append(sum(w[m.name] * m.residuals("a")[:, steps] for m in (daily, weekly)))
        point.append(
            w[daily.name] * daily.point(48)["yhat"].to_numpy()[steps]
            + w[weekly.name] * weekly.point(48)["yhat"].to_numpy()[steps]
        )
    assert expected[0][daily.name] != pytest.approx(expected[1][daily.name], abs=1e-3)
    np.testing.assert_allclose(ens.residuals("a"), np.hstack(combined))
    np.testing.assert_allclose(ens.point(48).sort(S.TS)["yhat"].to_numpy(), np.concatenate(point))


def test_ensemble__refuses_components_with_the_same_name():
    with pytest.raises(ValueError, match="distinct names"):
        WeightedEnsemble([SeasonalNaiveRule(24), SeasonalNaiveRule(168)])


@pytest.fixture(scope="module")
def selected():
    data = pl.concat([series("long", 800, 1, 1000.0), series("short", 300, 2, 50.0)])
    params = SelectionParams(
        candidates=("seasonal_naive", "lightgbm", "ensemble"), calibration=CAL, rule="best",
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


def test_fit_default__combine_serves_the_inverse_error_ensemble_of_the_members():
    data = pl.concat([series("a", 800, 1, 1000.0), series("b", 800, 3, 500.0)])
    params = SelectionParams(
        candidates=("seasonal_naive", "lightgbm", "ensemble"), calibration=CAL,
        lightgbm=LightGBMParams(n_estimators=30, rows_budget=3000, min_rows_per_region=1000, num_threads=1),
        ensemble_members=("seasonal_naive", "lightgbm"),
    )
    model, report = fit_default(data, {}, {}, horizon=12, season=24, params=params)
    assert model.choice == {"a": "ensemble", "b": "ensemble"}
    assert report.filter("chosen")[S.MODEL].to_list() == ["ensemble", "ensemble"]
    ensemble = model.models["ensemble"]
    for region in ("a", "b"):
        mae = {
            m: np.nanmean(np.abs(model.models[m].residuals(region))) for m in ("seasonal_naive", "lightgbm")
        }
        expected = {m: (1 / e) / sum(1 / x for x in mae.values()) for m, e in mae.items()}
        got = dict(ensemble.weights.filter(pl.col(S.REGION) == region).select(S.MODEL, "weight").iter_rows())
        assert got == pytest.approx(expected)
    point = model.predict(12, [0.5])
    assert point.height == 24


def test_selection_params__refuse_an_unknown_rule_or_weighting_or_a_holiday_share_outside_0_1():
    with pytest.raises(ValueError, match="rule must be one of"):
        SelectionParams(rule="newest")
    with pytest.raises(ValueError, match="ensemble_weighting must be one of"):
        SelectionParams(ensemble_weighting="median")
    with pytest.raises(ValueError, match=r"holiday_effect must be a share in \[0, 1\], got 1.5"):
        SelectionParams(holiday_effect=1.5)


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


def test_ensemble__on_holidays_combines_only_the_members_that_see_them():
    # 2024-01-15 (Martin Luther King Jr. Day, US) starts at hour 336: of the six hours forecast
    # from hour 333, the last three fall on it and take the holiday-aware member's forecast alone;
    # the first three keep the learnt weights. Fitted to hour 380, the calibration rows on that
    # day are the aware member's too.
    cal = CalibrationParams(max_horizon=6, origins=8, stride=5, min_train=120)

    def members() -> tuple[SeasonalNaiveRule, SeasonalNaiveRule]:
        daily, weekly = SeasonalNaiveRule(24, cal), SeasonalNaiveRule(168, cal)
        weekly.name, weekly.sees_holidays = "aware", True
        return daily, weekly

    daily, weekly = members()
    calendar = ({"a": "US"}, {"a": "UTC"})
    ens = WeightedEnsemble([daily, weekly], "inverse_mae", *calendar).fit(series("a", 333, 1, 100.0))
    w = dict(ens.weights.select(S.MODEL, "weight").iter_rows())
    assert 0 < w["aware"] < 1
    aware = weekly.point(6)["yhat"].to_numpy()
    blend = w[daily.name] * daily.point(6)["yhat"].to_numpy() + w["aware"] * aware
    expected = np.where(np.arange(6) >= 3, aware, blend)
    np.testing.assert_allclose(ens.point(6).sort(S.TS)["yhat"].to_numpy(), expected)
    plain = WeightedEnsemble([daily, weekly], "inverse_mae").combine()
    np.testing.assert_allclose(plain.point(6).sort(S.TS)["yhat"].to_numpy(), blend)
    daily, weekly = members()
    later = WeightedEnsemble([daily, weekly], "inverse_mae", *calendar).fit(series("a", 380, 1, 100.0))
    w = dict(later.weights.select(S.MODEL, "weight").iter_rows())
    rows = later.calibration.join(
        daily.calibration.select(S.K, STEP, pl.col("yhat").alias("d")), on=[S.K, STEP]
    ).join(weekly.calibration.select(S.K, STEP, pl.col("yhat").alias("w")), on=[S.K, STEP])
    on_day = (rows[S.TS].dt.date() == datetime(2024, 1, 15).date()).to_numpy()
    assert 0 < on_day.sum() < rows.height
    expected = np.where(on_day, rows["w"], w[daily.name] * rows["d"] + w["aware"] * rows["w"])
    np.testing.assert_allclose(rows["yhat"], expected)


def holiday_year(hours: int) -> tuple[pl.DataFrame, np.ndarray]:
    """A US region whose load drops 20 % on its public holidays (local time), and the holiday mask."""
    from forecast.features.calendar import holiday_flags

    t = np.arange(hours)
    frame = pl.DataFrame({S.REGION: "us", S.TS: [T0 + timedelta(hours=int(h)) for h in t]}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )
    holiday = holiday_flags(frame, {"us": "America/New_York"}, {"us": "US"}).to_numpy()
    rng = np.random.default_rng(5)
    value = 1000 * (1 + 0.1 * np.sin(2 * np.pi * (t - 5) / 24)) * np.where(holiday, 0.8, 1.0)
    return frame.with_columns(pl.Series(S.VALUE, value + rng.normal(0, 8, hours))), holiday


@pytest.mark.parametrize("on", ["switch", "effects", None])
def test_default__intervals_hold_on_a_holiday_when_the_ensemble_switches_or_scales(on):
    # Eight months of a series whose load drops 20 % on US holidays, forecast across Labor Day
    # (2024-09-02): the members without a calendar forecast an ordinary Monday, so the plain
    # ensemble's 80 % band misses every holiday hour; switching to LightGBM there, or scaling
    # the others by the region's holiday effect (-20 %, learnt from its six earlier holidays),
    # covers them.
    data, holiday = holiday_year(24 * 366)
    cut = int(np.argmax(holiday[24 * 240:])) + 24 * 240 - 30  # 30 h before Labor Day's first hour
    params = SelectionParams(
        candidates=("seasonal_naive", "lightgbm", "ensemble"),
        ensemble_members=("seasonal_naive", "lightgbm"),
        calibration=CalibrationParams(origins=12, stride=24, min_train=24 * 28),
        lightgbm=LightGBMParams(n_estimators=200, rows_budget=40000, min_rows_per_region=1000, num_threads=1),
        ensemble_holidays=on == "switch",
        holiday_effect=1.0 if on == "effects" else 0.0,
    )
    tz = {"us": "America/New_York"}
    model, _ = fit_default(data.head(cut), {"us": "US"}, tz, horizon=72, season=24, params=params)
    band = model.predict(72, [0.1, 0.9]).pivot(on=S.QUANTILE, index=S.TS, values=S.VALUE).sort(S.TS)
    truth, hol = data[S.VALUE].to_numpy()[cut:cut + 72], holiday[cut:cut + 72]
    assert hol.sum() == 24
    inside = (band["0.1"].to_numpy() <= truth) & (truth <= band["0.9"].to_numpy())
    if on:
        assert inside[hol].mean() >= 0.7 and inside[~hol].mean() >= 0.7
    else:
        assert inside[hol].mean() <= 0.2


def test_ensemble__scales_members_blind_to_holidays_by_a_share_of_the_learnt_effect():
    # Eight months of a US region whose load drops 20 % on its holidays, fitted to 30 h before
    # Labor Day: the learnt effect is about -20 % at every hour; on the holiday's hours the blind
    # member is multiplied by 1 + 0.5 x that effect, the aware one is not; other hours are the
    # plain weighted sum. The calibration rows' effect is learnt only before the oldest origin.
    from forecast.features.calendar import holiday_flags
    from forecast.features.holiday_effect import EFFECT, holiday_effects, holiday_factor

    data, holiday = holiday_year(24 * 366)
    cut = int(np.argmax(holiday[24 * 240:])) + 24 * 240 - 30
    tz, cal_code = {"us": "America/New_York"}, {"us": "US"}
    cal = CalibrationParams(max_horizon=48, origins=8, stride=24, min_train=24 * 28)
    blind, aware = SeasonalNaiveRule(24, cal), SeasonalNaiveRule(168, cal)
    aware.name, aware.sees_holidays = "aware", True
    ens = WeightedEnsemble(
        [blind, aware], "inverse_mae", cal_code, tz, switch_holidays=False, holiday_effect=0.5
    ).fit(data.head(cut))
    served = ens.effects["served"]
    np.testing.assert_allclose(served[EFFECT].to_numpy(), -0.2, atol=0.02)
    first = ens.calibration[S.ORIGIN].min()
    before = blind.history.filter(pl.col(S.TS) <= first)
    assert ens.effects["calibration"].equals(holiday_effects(before, tz, cal_code))
    w = dict(ens.weights.select(S.MODEL, "weight").iter_rows())
    points = blind.point(48).select(S.REGION, S.TS)
    factor = holiday_factor(points, served, tz, cal_code).to_numpy()
    on = holiday_flags(points, tz, cal_code).to_numpy()
    assert on.sum() == 18 and np.all(factor[on] < 0.85) and np.all(factor[~on] == 1.0)
    expected = (
        w[blind.name] * blind.point(48)["yhat"].to_numpy() * (1 + 0.5 * (factor - 1))
        + w["aware"] * aware.point(48)["yhat"].to_numpy()
    )
    np.testing.assert_allclose(ens.point(48).sort(S.TS)["yhat"].to_numpy(), expected)
