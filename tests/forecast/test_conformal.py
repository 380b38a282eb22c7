"""Conformal offsets never cross, widen with residual spread, and cover at their nominal level."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.conformal import conformal_level, conformal_offsets, draw_origins, residual_paths


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


def test_conformal_level__pushes_levels_outwards_for_small_samples():
    assert conformal_level(0.9, 9) > 0.9 and conformal_level(0.1, 9) < 0.1
    assert conformal_level(0.5, 9) == 0.5
    assert conformal_level(0.99, 5) == 1.0


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
