"""Split plans: exact best share over joint paths, within [0, mw], shares summing to the job's MW."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.placement import PlacementQuery, place
from forecast.placement.split import best_shares

from .conftest import T0, cube_of


def brute_count(m1: np.ndarray, m2: np.ndarray, mw: float) -> int:
    """Most paths any share holds, trying every interval endpoint (an optimum sits at one)."""
    points = np.concatenate([np.maximum(0, mw - m2), np.minimum(mw, m1), [0.0, mw]])
    points = points[(points >= 0) & (points <= mw)]
    return max(int(((a <= m1) & (mw - a <= m2)).sum()) for a in points)


def test_split__hand_example_needs_both_regions():
    # 10 MW for 2 h; neither region alone holds 10 MW, together paths 0 and 1 hold it with a in [4, 6]
    paths = {"a": [[6, 7, 9], [8, 6, 9], [1, 1, 1]], "b": [[6, 8, 9], [4, 5, 9], [1, 1, 1]]}
    answer = place(cube_of(paths), PlacementQuery(mw=10, hours=2, split=True), now=T0)
    best = answer.plans[0]
    assert best.region is None
    assert {s.region for s in best.shares} == {"a", "b"}
    assert best.p_uninterrupted == 2 / 3
    share_a = next(s.mw for s in best.shares if s.region == "a")
    assert 6 <= share_a <= 6  # path 0 needs a<=6 and a>=4, path 1 needs a<=6 and a>=6 -> a = 6
    assert math.isclose(sum(s.mw for s in best.shares), 10)


@settings(max_examples=80, deadline=None)
@given(
    m=arrays(np.float64, (2, 3, 15), elements=st.integers(-20, 60).map(float)),
    mw=st.integers(1, 80).map(float),
)
def test_best_share__stays_in_the_job_and_holds_the_most_paths(m, mw):
    # whole MW keep the arithmetic exact, so the sweep must match the brute force exactly
    share, count = best_shares(m[0], m[1], mw)
    assert ((share >= 0) & (share <= mw)).all()
    for row in range(3):
        m1, m2 = m[0, row], m[1, row]
        assert count[row] == brute_count(m1, m2, mw)
        a = share[row]
        assert int(((a <= m1) & (mw - a <= m2)).sum()) == count[row]


@settings(max_examples=30, deadline=None)
@given(
    values=arrays(np.float64, (3, 5, 8), elements=st.floats(-10, 40, allow_nan=False)),
    mw=st.floats(0.5, 60),
    hours=st.integers(1, 4),
)
def test_split_plans__never_put_more_than_the_job_in_a_region_and_sum_to_it(values, mw, hours):
    cube = cube_of({r: values[i].tolist() for i, r in enumerate("xyz")})
    answer = place(cube, PlacementQuery(mw=mw, hours=hours, split=True, top=20), now=T0)
    assert answer.plans
    for plan in answer.plans:
        assert all(0 <= s.mw <= mw for s in plan.shares)
        assert math.isclose(sum(s.mw for s in plan.shares), mw, rel_tol=1e-12)
        assert len({s.region for s in plan.shares}) == len(plan.shares) <= 2
    ps = [p.p_uninterrupted for p in answer.plans]
    assert ps == sorted(ps, reverse=True)
