"""Bad queries are refused with errors that name the field; the default window follows `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forecast.placement import (
    DeadlineBeforeEarliestError,
    NaiveTimeError,
    NonPositiveError,
    OutsideHorizonError,
    PlacementQuery,
    PlacementQueryError,
    RunLongerThanWindowError,
    UnknownRegionsError,
    UnsupportedQueryError,
    place,
)

from .conftest import T0, cube_of

CUBE = cube_of({"a": [[10.0] * 24] * 3, "b": [[10.0] * 24] * 3})
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("query", "error", "field"),
    [
        (PlacementQuery(mw=0, hours=2), NonPositiveError, "mw"),
        (PlacementQuery(mw=-3, hours=2), NonPositiveError, "mw"),
        (PlacementQuery(mw=float("nan"), hours=2), NonPositiveError, "mw"),
        (PlacementQuery(mw=5, hours=0), NonPositiveError, "hours"),
        (PlacementQuery(mw=5, hours=2, top=0), NonPositiveError, "top"),
        (PlacementQuery(mw=5, hours=25), RunLongerThanWindowError, "hours"),
        (PlacementQuery(mw=5, hours=4, earliest=T0 + 2 * H, deadline=T0 + 5 * H), RunLongerThanWindowError,
         "hours"),
        (PlacementQuery(mw=5, hours=2, earliest=T0 + 5 * H, deadline=T0 + 3 * H),
         DeadlineBeforeEarliestError, "deadline"),
        (PlacementQuery(mw=5, hours=2, earliest=T0 + 30 * H), OutsideHorizonError, "earliest"),
        (PlacementQuery(mw=5, hours=2, deadline=T0 - 3 * H, earliest=T0 - 9 * H), OutsideHorizonError,
         "deadline"),
        (PlacementQuery(mw=5, hours=2, earliest=datetime(2026, 6, 15, 3)), NaiveTimeError, "earliest"),
        (PlacementQuery(mw=5, hours=2, split=True, max_regions=3), UnsupportedQueryError, "max_regions"),
        (PlacementQuery(mw=5, hours=2, split=True, interruptible=True), UnsupportedQueryError, "split"),
    ],
)
def test_bad_query__is_refused_naming_the_field(query, error, field):
    with pytest.raises(error) as info:
        place(CUBE, query, now=T0)
    assert isinstance(info.value, PlacementQueryError)
    assert info.value.field == field
    assert field in str(info.value)


def test_unknown_regions__error_lists_the_known_ones():
    with pytest.raises(UnknownRegionsError) as info:
        place(CUBE, PlacementQuery(mw=5, hours=2, regions=["a", "mars"]), now=T0)
    assert info.value.unknown == ["mars"] and info.value.known == ["a", "b"]
    assert isinstance(info.value, LookupError)


def test_window_shorter_than_run__is_refused_with_the_facts():
    with pytest.raises(RunLongerThanWindowError) as info:
        place(CUBE, PlacementQuery(mw=5, hours=3), now=T0 + 22 * H)
    assert (info.value.hours, info.value.window_hours) == (3, 2)


def test_default_window__starts_at_the_next_whole_hour_and_ends_with_the_horizon():
    answer = place(CUBE, PlacementQuery(mw=5, hours=2), now=T0 + 3 * H + timedelta(minutes=10))
    assert answer.window_start == T0 + 4 * H
    assert answer.window_end == T0 + 24 * H == CUBE.end
    assert min(p.start for p in answer.plans) == T0 + 4 * H


def test_deadline_past_the_horizon__is_capped_and_said():
    answer = place(CUBE, PlacementQuery(mw=5, hours=2, deadline=T0 + 100 * H), now=T0)
    assert answer.window_end == CUBE.end
    assert any("past the published horizon" in n for n in answer.notes)
    assert all(p.end <= CUBE.end for p in answer.plans)
