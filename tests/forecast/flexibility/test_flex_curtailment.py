"""The array core: thresholds, curtailment rate and headroom against hand-worked figures and brentq."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from forecast.flexibility.curtailment import (
    InvalidLimitError,
    Thresholds,
    curtailment_rate,
    curtailment_stats,
    headroom_mw,
    seasonal_thresholds,
)

# Two "years" of four hours each, worked by hand in the tests below.
LOAD = np.array([10.0, 8.0, 6.0, 9.0, 9.0, 7.0, 5.0, 9.5])
MONTH = np.array([7, 7, 1, 4, 8, 12, 3, 10])
YEAR = np.array([1, 1, 1, 1, 2, 2, 2, 2])


def test_thresholds__seasonal_peaks_and_held_months_by_hand() -> None:
    t = seasonal_thresholds(LOAD, MONTH)
    assert t == Thresholds(summer=10.0, winter=7.0)  # max Jun-Aug {10, 8, 9}; max Dec-Feb {6, 7}
    # Apr and Oct held to summer, Mar and Jan to winter: gaps 0 2 1 1 | 1 0 2 0.5
    assert t.per_hour(MONTH).tolist() == [10, 10, 7, 10, 10, 7, 7, 10]


def test_rate__curtailed_mwh_over_added_energy_by_hand() -> None:
    threshold = seasonal_thresholds(LOAD, MONTH).per_hour(MONTH)
    # L = 2: year 1 curtails 2+0+1+1 = 4 MWh of 2*4, year 2 1+2+0+1.5 = 4.5 MWh of 2*4.
    assert curtailment_rate(LOAD, threshold, YEAR, 2.0) == (4 / 8 + 4.5 / 8) / 2


def test_headroom__root_of_rate_by_hand() -> None:
    threshold = seasonal_thresholds(LOAD, MONTH).per_hour(MONTH)
    # For 1 <= L <= 2: year 1 curtails 3L - 2, year 2 3L - 1.5, so rate = (6L - 3.5) / 8L;
    # rate 40 % at L = 3.5 / 2.8 = 1.25.
    (mw,) = headroom_mw(LOAD, threshold, YEAR, (40.0,))
    assert mw == pytest.approx(1.25, abs=1e-12)
    assert curtailment_rate(LOAD, threshold, YEAR, mw) == pytest.approx(0.4, abs=1e-12)


def test_stats__hours_events_retained_seasons_by_hand() -> None:
    threshold = seasonal_thresholds(LOAD, MONTH).per_hour(MONTH)
    stats = curtailment_stats(LOAD, threshold, YEAR, MONTH, 1.25)
    # curtailed: 1.25, -, .25, .25 | .25, 1.25, -, .75 -> 3 hours a year, runs [0], [2..5], [7].
    assert stats.curtailed_hours_per_year == 3
    assert stats.mean_event_hours == 2
    assert stats.retained == (0.5, 0.5, 0.0)  # <= .625: 3 of 6; <= .3125: 3 of 6; <= .125: none
    assert (stats.winter_share, stats.summer_share, stats.shoulder_share) == pytest.approx((1 / 3,) * 3)


def test_headroom__matches_brentq_on_a_noisy_series() -> None:
    rng = np.random.default_rng(4)
    year = np.repeat([2020, 2021], [8784, 8760])
    month = np.concatenate([np.repeat(np.arange(1, 13), 732), np.repeat(np.arange(1, 13), 730)])
    load = 100 + 20 * np.sin(np.arange(len(year)) * 2 * np.pi / 24) + rng.normal(0, 5, len(year))
    threshold = seasonal_thresholds(load, month).per_hour(month)
    limits = (0.25, 0.5, 1.0, 5.0)
    for mw, c in zip(headroom_mw(load, threshold, year, limits), limits, strict=True):
        def excess(x: float, c: float = c) -> float:
            return curtailment_rate(load, threshold, year, x) - c / 100

        root = brentq(excess, 1e-6, 1e4, xtol=1e-10)
        assert mw == pytest.approx(root, rel=1e-9)


def test_headroom__zero_when_no_load_keeps_within_the_limit() -> None:
    # Shoulder hour far above its season's threshold: curtailing it alone exceeds 1 % at every L.
    load = np.array([10.0, 5.0, 30.0, 5.0])
    month = np.array([7, 1, 4, 1])
    threshold = seasonal_thresholds(load, month).per_hour(month)
    assert headroom_mw(load, threshold, np.zeros(4), (1.0,)).tolist() == [0.0]


def test_headroom__refuses_limits_outside_0_100() -> None:
    with pytest.raises(InvalidLimitError, match="got 0"):
        headroom_mw(LOAD, LOAD, YEAR, (0.0,))


@settings(max_examples=60, deadline=None)
@given(
    load=st.lists(st.floats(1.0, 1000.0), min_size=24, max_size=200),
    limits=st.lists(st.floats(0.01, 99.0), min_size=2, max_size=6),
)
def test_headroom__rises_with_the_limit(load: list[float], limits: list[float]) -> None:
    values = np.array(load)
    month = np.arange(len(values)) % 12 + 1
    year = np.arange(len(values)) // 12
    threshold = seasonal_thresholds(values, month).per_hour(month)
    ordered = tuple(sorted(limits))
    mw = headroom_mw(values, threshold, year, ordered)
    assert np.all(np.diff(mw) >= -1e-9 * np.maximum(1.0, mw[1:]))
