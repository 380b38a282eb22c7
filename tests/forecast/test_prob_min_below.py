"""P(minimum headroom < X) over a window, from joint hourly sample paths."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import schema as S
from forecast.headroom import ShortfallWindowError, prob_min_below

T0 = datetime(2026, 6, 1, tzinfo=UTC)
# Four paths over four hours (MW); minima over all hours: 80, 150, 95, 300.
LITERAL = [[100, 80, 120, 130], [200, 150, 160, 170], [110, 140, 95, 150], [300, 300, 300, 300]]


def _paths(values: list[list[float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {S.REGION: "r", S.SAMPLE: i, S.TS: T0 + timedelta(hours=h), S.VALUE: float(v)}
            for i, path in enumerate(values)
            for h, v in enumerate(path)
        ],
        schema={S.REGION: pl.String, S.SAMPLE: pl.Int32, S.TS: S.UTC_TS, S.VALUE: pl.Float32},
    )


def test_prob_min_below__matches_a_hand_count():
    paths = _paths(LITERAL)
    assert prob_min_below(paths, 100) == 0.5  # paths 0 (80) and 2 (95)
    assert prob_min_below(paths, 80) == 0.0  # strictly below
    assert prob_min_below(paths, 151) == 0.75
    assert prob_min_below(paths, 1000) == 1.0


def test_prob_min_below__counts_only_the_hours_of_the_window():
    paths = _paths(LITERAL)
    # Hours 2 and 3 only: minima 120, 160, 95, 300.
    assert prob_min_below(paths, 100, start=T0 + timedelta(hours=2)) == 0.25
    # Hours 0 and 1 only (end excluded): minima 80, 150, 110, 300.
    assert prob_min_below(paths, 120, end=T0 + timedelta(hours=2)) == 0.5
    assert prob_min_below(paths, 100, T0 + timedelta(hours=1), T0 + timedelta(hours=2)) == 0.25


def test_prob_min_below__an_empty_or_reversed_window_names_the_field():
    paths = _paths(LITERAL)
    with pytest.raises(ShortfallWindowError) as caught:
        prob_min_below(paths, 100, start=T0 + timedelta(days=3))
    assert caught.value.field == "start"
    with pytest.raises(ShortfallWindowError) as caught:
        prob_min_below(paths, 100, T0 + timedelta(hours=2), T0 + timedelta(hours=1))
    assert caught.value.field == "end"


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.lists(st.floats(-500, 500, allow_nan=False, width=32), min_size=3, max_size=3),
        min_size=1, max_size=6,
    ),
    low=st.floats(-600, 600, allow_nan=False),
    step=st.floats(0, 600, allow_nan=False),
)
def test_prob_min_below__is_monotone_in_the_threshold(values, low, step):
    paths = _paths(values)
    assert prob_min_below(paths, low) <= prob_min_below(paths, low + step)
