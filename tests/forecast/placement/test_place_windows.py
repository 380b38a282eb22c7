"""Uninterrupted plans: p is a count over joint paths, curtailment a hand sum, ranking deterministic."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.placement import PlacementQuery, place
from forecast.placement.windows import run_counts, window_minima

from .conftest import T0, cube_of

# Four paths of 5 hours in one region (MW of headroom).
PATHS = {
    "a": [
        [12, 11, 10, 12, 13],
        [12, 9, 12, 12, 12],
        [10, 10, 10, 10, 10],
        [8, 12, 12, 12, 12],
    ]
}


def by_start(answer):
    return {(p.region, p.start): p for p in answer.plans}


def test_p_uninterrupted__is_a_hand_count_over_the_paths():
    # mw 10, 3 hours: start 0 -> paths 0, 2 hold 10 every hour (path 1 has 9, path 3 has 8) -> 2/4
    # start 1 -> paths 0, 2, 3 -> 3/4 ; start 2 -> all four -> 4/4
    cube = cube_of(PATHS)
    answer = place(cube, PlacementQuery(mw=10, hours=3, top=10), now=T0, params=None)
    got = {p.start.hour: p.p_uninterrupted for p in answer.plans}
    assert got[2] == 1.0
    counts = run_counts(cube.values, 10.0, 3)[0]
    assert counts.tolist() == [2, 3, 4]


def test_expected_curtailed_mwh__is_the_mean_hourly_shortfall_sum_capped_at_the_job():
    # mw 11, hours 0-1 (2 h): shortfalls path0 0+0, path1 0+2, path2 1+1, path3 3+0 -> 7/4 MWh
    # one hour of -5 MW headroom costs the job its 11 MW, not 16
    paths = {"a": [row[:] for row in PATHS["a"]], "b": [[11, -5, 11, 11, 11]] * 4}
    answer = place(cube_of(paths), PlacementQuery(mw=11, hours=2, regions=("a", "b"), top=20), now=T0)
    plans = by_start(answer)
    assert plans[("a", T0)].expected_curtailed_mwh == pytest.approx(7 / 4)
    assert plans[("b", T0)].expected_curtailed_mwh == pytest.approx(11.0)


def test_best_plan_comes_first_and_runs_in_one_place_never_overlap():
    cube = cube_of(PATHS)
    answer = place(cube, PlacementQuery(mw=10, hours=3), now=T0)
    first = answer.plans[0]
    assert (first.region, first.start.hour, first.end.hour) == ("a", 2, 5)
    assert first.p_uninterrupted == 1.0 and first.expected_curtailed_mwh == 0.0
    starts = sorted(p.start.hour for p in answer.plans)
    assert all(b - a >= 3 for a, b in itertools.pairwise(starts))
    assert answer.model_version == "test-v1" and answer.issued_at == T0


def test_ties__earlier_start_then_region_name():
    flat = [[5.0] * 6] * 3
    answer = place(cube_of({"zz": flat, "aa": flat}), PlacementQuery(mw=1, hours=2, top=4), now=T0)
    assert [(p.region, p.start.hour) for p in answer.plans] == [("aa", 0), ("zz", 0), ("aa", 2), ("zz", 2)]


def test_variety__one_region_cannot_fill_the_list_while_others_have_plans():
    good, poor = [[20.0] * 48] * 4, [[20.0] * 48, [0.0] * 48, [0.0] * 48, [0.0] * 48]
    answer = place(cube_of({"good": good, "poor": poor}), PlacementQuery(mw=10, hours=2, top=5), now=T0)
    assert [p.region for p in answer.plans].count("poor") >= 1


def test_same_inputs_give_the_same_answer():
    rng = np.random.default_rng(3)
    paths = {r: rng.normal(10, 3, (20, 30)).tolist() for r in ("x", "y", "z")}
    query = PlacementQuery(mw=8, hours=4, split=True)
    a = place(cube_of(paths), query, now=T0).as_dict()
    b = place(cube_of(paths), query, now=T0).as_dict()
    assert a == b


def test_window_minima__matches_a_plain_loop():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 17))
    for hours in (1, 2, 5, 17):
        expect = np.array([[[x[r, n, s : s + hours].min() for s in range(17 - hours + 1)]
                            for n in range(3)] for r in range(2)])
        np.testing.assert_array_equal(window_minima(x, hours), expect)


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, (2, 6, 12), elements=st.floats(-5, 30, allow_nan=False)),
    mw=st.floats(0.5, 25),
    more=st.floats(0, 10),
    hours=st.integers(1, 10),
)
def test_p_never_rises_when_mw_or_hours_rise(values, mw, more, hours):
    base = run_counts(values, mw, hours)
    assert (run_counts(values, mw + more, hours) <= base).all()
    if hours < 12:
        longer = run_counts(values, mw, hours + 1)
        # a longer run starting at s contains the shorter one at s
        assert (longer <= base[:, : longer.shape[1]]).all()
        assert max(longer.max(), 0) <= base.max()
