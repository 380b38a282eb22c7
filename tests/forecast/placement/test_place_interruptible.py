"""Interruptible jobs pause when headroom is short: finish hour per path, by hand."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from forecast.placement import PlacementQuery, place
from forecast.placement.interruptible import finish_hours

from .conftest import T0, cube_of

H = timedelta(hours=1)


def test_finish_time__hand_example():
    # mw 10, 3 running hours. path 0 runs h0,h1,h2 -> finishes at 3; path 1 runs h0,h2,h4 -> 5;
    # path 2 runs h1,h3,h5 -> 6; path 3 runs only twice -> never (within the 6-hour horizon)
    paths = {"a": [[10, 10, 10, 0, 0, 0], [10, 0, 10, 0, 10, 0], [0, 10, 0, 10, 0, 10], [0, 0, 10, 0, 0, 10]]}
    cube = cube_of(paths)
    assert finish_hours(cube.values, 10.0, 3).tolist() == [[3, 5, 6, -1]]
    answer = place(cube, PlacementQuery(mw=10, hours=3, interruptible=True), now=T0)
    (plan,) = answer.plans
    assert plan.p_finish_by_deadline == 0.75
    # expectation over the three paths that finish: (3 + 5 + 6) / 3 h = 4 h 40 min
    assert plan.expected_finish == T0 + timedelta(hours=4, minutes=40)
    # P90 over all four paths needs 4 of 4 finished: one never does -> None
    assert plan.p90_finish is None
    assert "3 of 4 paths" in plan.reason


def test_finish_by_deadline__counts_only_finishes_by_the_deadline():
    paths = {"a": [[10, 10, 10, 0, 0, 0], [10, 0, 10, 0, 10, 0]], "b": [[10, 10, 10, 10, 10, 10]] * 2}
    answer = place(cube_of(paths), PlacementQuery(mw=10, hours=3, interruptible=True, deadline=T0 + 4 * H),
                   now=T0)
    assert [(p.region, p.p_finish_by_deadline) for p in answer.plans] == [("b", 1.0), ("a", 0.5)]
    b = answer.plans[0]
    assert b.expected_finish == b.p90_finish == T0 + 3 * H


def test_finish_hours__match_a_plain_loop():
    rng = np.random.default_rng(5)
    values = rng.normal(10, 4, (2, 6, 30))
    got = finish_hours(values, 9.0, 7)
    for r in range(2):
        for n in range(6):
            ran, expect = 0, -1
            for h in range(30):
                ran += values[r, n, h] >= 9.0
                if ran == 7:
                    expect = h + 1
                    break
            assert got[r, n] == expect
