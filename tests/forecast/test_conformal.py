"""Conformal offsets never cross, widen with residual spread, and cover at their nominal level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast import schema as S
from forecast.conformal import (
    conformal_offsets,
    conformal_rank,
    draw_origins,
    lead_columns,
    residual_paths,
)
from forecast.models.calibrated import CalibrationParams
from forecast.models.naive import SeasonalNaiveRule


@settings(max_examples=60, deadline=None)
@given(
    residuals=arrays(np.float64, st.tuples(st.integers(1, 20), st.integers(1, 12)),
                     elements=st.floats(-1e6, 1e6)),
    quantiles=st.lists(st.floats(0.001, 0.999), min_size=1, max_size=8, unique=True),
    neighbours=st.integers(0, 3),
)
def test_conformal_offsets__quantiles_never_cross(residuals, quantiles, neighbours):
    out = conformal_offsets(residuals, quantiles, residuals.shape[1], neighbours)
    assert out.shape == (len(quantiles), residuals.shape[1])
    assert np.all(np.diff(out, axis=0) >= 0)


def test_conformal_rank__is_the_finite_sample_order_statistic():
    assert conformal_rank(0.9, 19) == 18 and conformal_rank(0.1, 19) == 2  # (n+1)q exactly
    assert conformal_rank(0.9, 9) == 9 and conformal_rank(0.1, 9) == 1
    assert conformal_rank(0.5, 9) == 5
    assert conformal_rank(0.99, 5) == 5 and conformal_rank(0.01, 5) == 1  # clamped to the sample


def test_conformal_offsets__cover_exchangeable_draws_at_exactly_the_nominal_rate():
    # 19 residuals, q = 0.1 / 0.9: the 2nd and 18th order statistics cover a 20th draw with
    # probability exactly 16/20. A plain empirical quantile (or a milder correction) covers less.
    rng = np.random.default_rng(1)
    draws = rng.standard_t(4, size=(20000, 20))
    lo, hi = [], []
    for row in draws[:, :19]:
        offsets = conformal_offsets(row[:, None], [0.1, 0.9], 1, neighbours=0)
        lo.append(offsets[0, 0])
        hi.append(offsets[1, 0])
    coverage = np.mean((draws[:, 19] >= lo) & (draws[:, 19] <= hi))
    assert abs(coverage - 0.80) < 0.01


def test_conformal_offsets__cover_new_draws_at_about_the_nominal_rate():
    rng = np.random.default_rng(0)
    horizon, hits = 6, []
    for _ in range(300):
        residuals = rng.normal(0, 1 + np.arange(horizon) / 2, size=(40, horizon))
        lo, hi = conformal_offsets(residuals, [0.1, 0.9], horizon, neighbours=0)
        fresh = rng.normal(0, 1 + np.arange(horizon) / 2)
        hits.append((fresh >= lo) & (fresh <= hi))
    coverage = np.mean(hits)
    assert 0.76 <= coverage <= 0.86


def test_residual_paths__same_seed_draws_the_same_origins_in_every_component():
    a = np.arange(30.0).reshape(10, 3)
    b = -np.arange(30.0).reshape(10, 3)
    pa, pb = residual_paths(a, 3, 50, seed=4), residual_paths(b, 3, 50, seed=4)
    np.testing.assert_array_equal(pa, -pb)
    np.testing.assert_array_equal(draw_origins(10, 50, 4), draw_origins(10, 50, 4))
    # rows are whole residual paths, so errors keep their correlation across the horizon
    assert all(any(np.array_equal(row, r) for r in a) for row in pa)


def test_calibrated_model__covers_a_series_with_known_noise_at_the_nominal_rate():
    # Exact daily cycle plus iid noise: seasonal-naive errors at a step are exchangeable across
    # calibration origins, so the conformal intervals must cover at about their nominal rate.
    rng = np.random.default_rng(3)
    hours = 24 * 90
    t = np.arange(hours)
    values = 100 + 20 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 3, hours)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    frame = pl.DataFrame({
        S.REGION: "r", S.TS: [t0 + timedelta(hours=int(h)) for h in t], S.VALUE: values,
    }).with_columns(pl.col(S.TS).cast(S.UTC_TS))
    # The plain split-conformal rule (tail_widen=1, lead_widen=0): the default widens the 95 % tails
    # by 10 % and every interval by 10 % per week of lead for real load, whose errors are not
    # exchangeable (chosen on the validation year, docs/forecasting.md).
    cal = CalibrationParams(
        max_horizon=24, origins=28, stride=24, min_train=48, neighbours=2, tail_widen=1.0, lead_widen=0.0
    )
    hits80, hits95 = [], []
    for cutoff in range(hours - 24 * 40, hours - 24, 24):
        model = SeasonalNaiveRule(24, cal).fit(frame.head(cutoff))
        pred = model.predict(24, [0.025, 0.1, 0.9, 0.975])[S.VALUE].to_numpy().reshape(24, 4)
        actual = values[cutoff: cutoff + 24]
        hits80.append((actual >= pred[:, 1]) & (actual <= pred[:, 2]))
        hits95.append((actual >= pred[:, 0]) & (actual <= pred[:, 3]))
    assert 0.76 <= np.mean(hits80) <= 0.84
    assert 0.93 <= np.mean(hits95) <= 0.975


def test_lead_columns__take_the_same_hour_of_day_at_an_equal_or_longer_lead():
    np.testing.assert_array_equal(lead_columns(0, 5, 48), np.arange(5))
    np.testing.assert_array_equal(lead_columns(7, 5, 48), np.arange(7, 12))
    # past the calibrated leads: one day less; shifts are hours of day
    np.testing.assert_array_equal(lead_columns(30, 3, 48), lead_columns(6, 3, 48))
    np.testing.assert_array_equal(lead_columns(10, 40, 48)[-3:], [47, 24, 25])
    # neither fits (calibrated for under a day): the step's own lead
    np.testing.assert_array_equal(lead_columns(10, 12, 12), [10, 11, *range(2, 12)])
