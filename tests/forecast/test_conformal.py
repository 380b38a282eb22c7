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
    calibrated_paths,
    conformal_offsets,
    conformal_rank,
    draw_origins,
    few_origins_factor,
    lead_columns,
    row_positions,
    step_ranks,
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


def test_draw_origins__each_row_equally_often_and_the_same_for_a_seed():
    rows = draw_origins(28, 500, seed=4)
    counts = np.bincount(rows, minlength=28)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 500
    np.testing.assert_array_equal(rows, draw_origins(28, 500, seed=4))
    assert not np.array_equal(rows, draw_origins(28, 500, seed=5))


def test_row_positions__one_sample_of_a_row_in_each_equal_slice_of_the_unit_interval():
    rows = draw_origins(7, 100, seed=2)
    positions = row_positions(rows, seed=2)
    for row in range(7):
        mine = np.sort(positions[rows == row])
        np.testing.assert_array_equal(np.floor(mine * mine.size), np.arange(mine.size))


def test_calibrated_paths__same_seed_same_rows_and_places_in_every_component():
    # Column-wise increasing maps of the residuals (another target in other units) give the same
    # map of the paths, sample by sample: one seed, one joint draw.
    rng = np.random.default_rng(0)
    a = rng.normal(size=(28, 6))
    pa = calibrated_paths(a, 6, 300, seed=4, neighbours=1, tail_widen=1.1, lead_widen=0.1)
    pb = calibrated_paths(3 * a + 7, 6, 300, seed=4, neighbours=1, tail_widen=1.1, lead_widen=0.1)
    np.testing.assert_allclose(pb, 3 * pa + 7)


def test_calibrated_paths__keep_each_rows_rank_across_steps():
    # Step 2's residuals are step 1's reversed in rank, step 3's follow step 1's: a path high at
    # step 1 is low at step 2 and high at step 3, as its calibration day was.
    base = np.linspace(-3, 3, 28)
    residuals = np.column_stack([base, -base ** 3, base * 2 + 1])
    paths = calibrated_paths(residuals, 3, 400, seed=1)
    order = [np.argsort(np.argsort(paths[:, h])) for h in range(3)]
    assert np.corrcoef(order[0], order[1])[0, 1] < -0.99
    assert np.corrcoef(order[0], order[2])[0, 1] > 0.99


@settings(max_examples=25, deadline=None)
@given(
    residuals=arrays(np.float64, st.tuples(st.integers(4, 30), st.integers(1, 6)),
                     elements=st.floats(-1e4, 1e4)),
    seed=st.integers(0, 1000),
)
def test_calibrated_paths__quantiles_are_the_conformal_offsets(residuals, seed):
    # Drawn in equal numbers from every row, at stratified places within it, 500 paths' linear
    # empirical quantiles are the offsets `predict` serves, to within one step (0.005) of the
    # levels they are tabulated at.
    horizon = residuals.shape[1]
    paths = calibrated_paths(residuals, horizon, 500, seed, neighbours=1, tail_widen=1.1, lead_widen=0.1)
    for q in (0.025, 0.1, 0.9, 0.975):
        lo, hi = conformal_offsets(residuals, [q - 0.01, q + 0.01], horizon, 1, 1.1, 0.1)
        got = np.quantile(paths, q, axis=0)
        slack = 1e-9 * (np.abs(lo) + np.abs(hi) + 1)
        assert np.all(got >= lo - slack) and np.all(got <= hi + slack)


def test_calibrated_paths__95_percent_width_is_the_served_one_not_a_little_inside():
    # The j-th smallest of n paths sits at level j / (n - 1), where a linear empirical quantile
    # reads it: without that the 2.5 % and 97.5 % quantiles of 500 paths lie ~1 % inside (0.988).
    rng = np.random.default_rng(5)
    ratios = []
    for trial in range(40):
        residuals = rng.normal(size=(28, 24))
        table = conformal_offsets(residuals, [0.025, 0.975], 24, 2, 1.1, 0.1)
        q = np.quantile(calibrated_paths(residuals, 24, 500, trial, 2, 1.1, 0.1), [0.025, 0.975], axis=0)
        ratios.append(np.mean((q[1] - q[0]) / (table[1] - table[0])))
    assert 0.995 <= np.mean(ratios) <= 1.01


def test_calibrated_paths__a_missing_residual_ranks_as_its_steps_median():
    # Rows 0-2 miss step 1: they sit in the middle of it, not all at one end (a joint tail that
    # never happened), and their ties are broken in one random order, not by row index.
    residuals = np.tile(np.arange(11.0)[:, None], (1, 2))
    residuals[:3, 1] = np.nan
    ranks = step_ranks(residuals, seed=3)
    assert sorted(ranks[:3, 1]) == [4, 5, 6]  # among 3..10, where the median 6.5 falls
    orders = {tuple(step_ranks(residuals, seed=s)[:3, 1]) for s in range(10)}
    assert len(orders) > 1
    assert np.array_equal(np.sort(ranks, axis=0), np.tile(np.arange(11)[:, None], (1, 2)))
    assert not np.isnan(calibrated_paths(residuals, 2, 50, seed=3)).any()


def test_draw_origins__fewer_samples_than_rows_take_rows_drawn_by_the_seed():
    drawn = [frozenset(draw_origins(10, 3, seed).tolist()) for seed in range(20)]
    assert all(len(d) == 3 for d in drawn) and len(set(drawn)) > 5


def test_calibrated_paths__cover_exchangeable_errors_at_the_nominal_rate():
    # Oracle: iid errors. The paths' central 80 % and 95 % intervals cover a fresh error at about
    # their nominal rates; resampling the 28 raw rows (the old paths) gives the 28-sample's own
    # quantiles, which cover about 76 % and 91 % here (0.82 / 0.96 for the paths).
    rng = np.random.default_rng(7)
    horizon, hits, raw_hits = 4, [], []
    for trial in range(300):
        residuals = rng.normal(size=(28, horizon))
        fresh = rng.normal(size=horizon)
        paths = calibrated_paths(residuals, horizon, 400, seed=trial, neighbours=1)
        raw = residuals[rng.integers(0, 28, size=400)]
        for store, sample in ((hits, paths), (raw_hits, raw)):
            q = np.quantile(sample, [0.025, 0.1, 0.9, 0.975], axis=0)
            store.append([(q[1] <= fresh) & (fresh <= q[2]), (q[0] <= fresh) & (fresh <= q[3])])
    cover80, cover95 = np.mean(hits, axis=(0, 2))
    raw80, raw95 = np.mean(raw_hits, axis=(0, 2))
    assert 0.77 <= cover80 <= 0.85 and 0.93 <= cover95 <= 0.975
    assert raw80 < 0.77 and raw95 < 0.93


def test_conformal_offsets__tail_widening_rises_continuously_between_the_80_and_95_levels():
    # Residuals 1..199 at one step (median 100), tail_widen 1.1: the 90 % interval's quantiles lie
    # 1 + 0.1 x 2/3 as far from the median (0.05 is two thirds of the way from 0.1 to 0.025).
    residuals = np.arange(1.0, 200.0).reshape(-1, 1)
    lo, hi = conformal_offsets(residuals, [0.05, 0.95], 1, neighbours=0, tail_widen=1.1)[:, 0]
    g = 1 + 0.1 * (0.45 - 0.4) / (0.475 - 0.4)
    np.testing.assert_allclose([lo, hi], [100 - g * 90, 100 + g * 90])


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


def test_few_origins_factor__normal_tail_beyond_what_k_rows_resolve_relative_to_28():
    # Hand-worked with z = the standard normal quantile: z(0.975) = 1.959964, z(0.95) = 1.644854,
    # z(10/11) = 1.335178, z(28/29) = 1.818646. Ten rows resolve levels up to 10/11 = 0.909: the
    # 80 % interval (0.9) is inside it, the 90 % one (0.95) beyond it and inside 28/29, the 95 %
    # one (0.975) beyond both.
    assert few_origins_factor(0.9, 10) == 1.0 and few_origins_factor(0.1, 10) == 1.0
    np.testing.assert_allclose(few_origins_factor(0.95, 10), 1.644854 / 1.335178, rtol=1e-5)
    np.testing.assert_allclose(few_origins_factor(0.025, 10), 1.818646 / 1.335178, rtol=1e-5)
    assert few_origins_factor(0.975, 28) == 1.0 and few_origins_factor(0.975, 60) == 1.0
    assert few_origins_factor(0.5, 4) == 1.0
    # One origin has no spread to widen (K / (K + 1) = 0.5 would divide by z = 0): left as it is.
    assert few_origins_factor(0.975, 1) == 1.0
    shape = CalibrationParams().interval_shape()
    one_row = conformal_offsets(np.ones((1, 24)), [0.025, 0.5, 0.975], 24, **shape)
    assert np.isfinite(one_row).all()


def test_conformal_offsets__28_origins_or_more_are_not_widened_for_few_origins():
    rng = np.random.default_rng(2)
    shape = CalibrationParams().interval_shape()
    qs = [0.025, 0.1, 0.5, 0.9, 0.975]
    for k in (28, 40):
        residuals = rng.normal(size=(k, 168))
        np.testing.assert_array_equal(
            conformal_offsets(residuals, qs, 168, **shape),
            conformal_offsets(residuals, qs, 168, **{**shape, "reference_origins": 0}),
        )


def test_conformal_offsets__lead_widening_grows_as_28_over_k_with_few_origins():
    # Ten rows, each one constant error across the week (so every step's pool is the same): the
    # 80 % quantile at step s lies (1 + 0.1 x 28/10 x s/168) times as far from the median.
    residuals = np.repeat(np.arange(-4.5, 5.5)[:, None], 168, axis=1)
    shape = {**CalibrationParams().interval_shape(), "tail_widen": 1.0}
    hi = conformal_offsets(residuals, [0.5, 0.9], 168, **shape)[1]
    np.testing.assert_allclose(hi, 4.5 * (1 + 0.28 * np.arange(1, 169) / 168))


def test_conformal_offsets__few_origins_cover_day_level_errors_as_28_do():
    # Oracle: each calibration day's error is one normal shift for all its hours (plus a little
    # hourly noise), as a day's weather shifts load. Pooling neighbouring steps then adds copies,
    # not information: ten rows' 95 % interval (their extremes x 1.1) covered 87 % of a new
    # day's hours. Widened for few origins it covers as 28 rows' does (95 %).
    rng = np.random.default_rng(5)
    shape, horizon = CalibrationParams().interval_shape(), 24
    hits, unwidened = [], []
    for _ in range(600):
        residuals = rng.normal(size=(10, 1)) + 0.1 * rng.normal(size=(10, horizon))
        fresh = rng.normal() + 0.1 * rng.normal(size=horizon)
        for store, ref in ((hits, 28), (unwidened, 0)):
            q = conformal_offsets(
                residuals, [0.025, 0.1, 0.9, 0.975], horizon, **{**shape, "reference_origins": ref}
            )
            store.append([
                np.mean((q[1] <= fresh) & (fresh <= q[2])), np.mean((q[0] <= fresh) & (fresh <= q[3]))
            ])
    cover80, cover95 = np.mean(hits, axis=0)
    assert 0.75 <= cover80 <= 0.83 and 0.93 <= cover95 <= 0.97
    assert np.mean(unwidened, axis=0)[1] < 0.90
