"""Planned capacity changes: the checks, and how the outlook's capacity path counts them."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from forecast import schema as S
from forecast.planning.capacity_plan import (
    InvalidPlannedChangeError,
    PlannedChange,
    additions_frame,
    check_planned_change,
)
from forecast.planning.outlook import capacity_path

CAPACITY = pl.DataFrame({S.REGION: ["r"], S.TS: [datetime(2025, 1, 1, tzinfo=UTC)], S.VALUE: [1000.0]})
MONTHS = [date(2026, m, 1) for m in range(1, 7)]


def _change(mw: float, day: date) -> PlannedChange:
    return PlannedChange(id="x", region="r", mw=mw, from_date=day, added_at=datetime(2025, 1, 1, tzinfo=UTC))


def test_capacity_path__a_change_dated_on_the_first_counts_in_that_month():
    plan = additions_frame([_change(500, date(2026, 3, 1)), _change(-200, date(2026, 4, 15))])
    path = capacity_path(CAPACITY, "r", MONTHS, plan)
    # March counts the addition dated March 1st; the retirement of April 15th counts from May.
    assert path.tolist() == [1000.0, 1000.0, 1500.0, 1500.0, 1300.0, 1300.0]


def test_additions_frame__empty_plan_has_the_outlook_columns():
    frame = additions_frame([])
    assert frame.columns == [S.REGION, S.TS, S.VALUE] and frame.height == 0
    assert capacity_path(CAPACITY, "r", MONTHS, frame).tolist() == [1000.0] * 6


@pytest.mark.parametrize(
    ("mw", "day", "field"),
    [(0, date(2027, 1, 1), "mw"), (1e-9, date(2027, 1, 1), "mw"), (float("nan"), date(2027, 1, 1), "mw"),
     (2e5, date(2027, 1, 1), "mw"),
     (10, date(1999, 12, 31), "from_date"), (10, date(2101, 1, 1), "from_date")],
)
def test_check__refuses_naming_the_field(mw, day, field):
    with pytest.raises(InvalidPlannedChangeError) as caught:
        check_planned_change(mw, day)
    assert caught.value.field == field


def test_check__accepts_additions_and_retirements():
    check_planned_change(-250.5, date(2030, 6, 1))
    check_planned_change(250.5, date(2030, 6, 1))
