"""LightGBM quantile-objective intervals: one booster per level, never crossing, honest fallbacks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import schema as S
from forecast.models.calibrated import CalibrationParams
from forecast.models.gbm import GlobalLightGBM, LightGBMParams

CAL = CalibrationParams(max_horizon=12, origins=8, stride=5, min_train=120, neighbours=1)
T0 = datetime(2024, 1, 1, tzinfo=UTC)

QUANTILE_GBM = LightGBMParams(
    n_estimators=60, learning_rate=0.1, rows_budget=4000, min_rows_per_region=1000, num_threads=1,
    intervals="quantile", quantile_levels=(0.1, 0.25, 0.75, 0.9),
)


def series(region: str, hours: int, base: float, rng: np.random.Generator) -> pl.DataFrame:
    """Daily cycle plus noise ten times larger in the afternoon (UTC 12-18)."""
    t = np.arange(hours)
    hour = t % 24
    noise = rng.normal(0, base * np.where((hour >= 12) & (hour < 18), 0.05, 0.005))
    return pl.DataFrame({
        S.REGION: region, S.TS: [T0 + timedelta(hours=int(h)) for h in t],
        S.VALUE: base * (1 + 0.1 * np.sin(2 * np.pi * t / 24)) + noise,
    }).with_columns(pl.col(S.TS).cast(S.UTC_TS))


@pytest.fixture(scope="module")
def model() -> GlobalLightGBM:
    rng = np.random.default_rng(7)
    data = pl.concat([series("a", 606, 1000.0, rng), series("b", 606, 40.0, rng)])
    return GlobalLightGBM(QUANTILE_GBM, CAL).fit(data)


@settings(max_examples=25, deadline=None)
@given(quantiles=st.lists(st.floats(0.001, 0.999), min_size=1, max_size=9, unique=True))
def test_quantile_mode__quantiles_never_cross_whatever_levels_are_asked(model, quantiles):
    pred = model.predict(12, quantiles).sort(S.REGION, S.TS, S.QUANTILE)
    values = pred[S.VALUE].to_numpy().reshape(-1, len(set(quantiles)))
    assert np.all(np.diff(values, axis=1) >= 0)
    assert np.isfinite(values).all()


def test_quantile_mode__trained_levels_come_from_their_boosters_sorted_per_row(model):
    _, levels, table = model.quantile_table(6)
    assert list(levels) == [0.1, 0.25, 0.5, 0.75, 0.9]
    assert np.all(np.diff(table, axis=1) >= 0)  # rearranged per row
    pred = model.predict(6, [0.1, 0.5, 0.9]).sort(S.REGION, S.TS, S.QUANTILE)
    wide = pred[S.VALUE].to_numpy().reshape(-1, 3)
    np.testing.assert_allclose(wide, table[:, [0, 2, 4]])
    # sample paths carry the conformal intervals, as in conformal mode (not the boosters' quantiles)
    paths = model.sample_paths(6, 20, seed=1)
    assert paths.height == 2 * 6 * 20


def test_conformal_mode__ignores_the_quantile_boosters(model):
    conformal = GlobalLightGBM(replace(QUANTILE_GBM, intervals="conformal"), CAL)
    conformal.fit(model.history)
    assert conformal._quantile_boosters == {}
    np.testing.assert_allclose(conformal.point(6)["yhat"], model.point(6)["yhat"])


def test_quantile_mode__interval_is_wider_where_the_noise_is(model):
    pred = model.predict(12, [0.1, 0.9]).filter(pl.col(S.REGION) == "a")
    wide = pred.pivot(on=S.QUANTILE, index=S.TS, values=S.VALUE).with_columns(
        (pl.col("0.9") - pl.col("0.1")).alias("width"), pl.col(S.TS).dt.hour().alias("hour")
    )
    noisy = wide.filter((pl.col("hour") >= 12) & (pl.col("hour") < 18))["width"].mean()
    calm = wide.filter((pl.col("hour") < 10) | (pl.col("hour") >= 20))["width"].mean()
    assert noisy > 1.5 * calm


def test_quantile_mode__levels_outside_the_boosters_use_conformal_offsets_pushed_outwards(model):
    _, _, table = model.quantile_table(6)
    pred = model.predict(6, [0.01, 0.1, 0.9, 0.99]).sort(S.REGION, S.TS, S.QUANTILE)
    wide = pred[S.VALUE].to_numpy().reshape(-1, 4)
    assert np.all(wide[:, 0] <= table[:, 0]) and np.all(wide[:, 3] >= table[:, -1])


def test_lightgbm_params__refuse_an_unknown_interval_method():
    with pytest.raises(ValueError, match="intervals must be one of"):
        LightGBMParams(intervals="bootstrap")
