"""Holiday effects learnt from a region's own past holidays, and the factor they put on forecasts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import schema as S
from forecast.features.calendar import holiday_flags
from forecast.features.holiday_effect import EFFECT, holiday_effects, holiday_factor

T0 = datetime(2023, 1, 1, tzinfo=UTC)
TZ, CAL = {"us": "UTC"}, {"us": "US"}


def hours(n: int) -> pl.DataFrame:
    return pl.DataFrame({S.REGION: "us", S.TS: [T0 + timedelta(hours=h) for h in range(n)]}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )


def year_with_holidays(drop: np.ndarray) -> pl.DataFrame:
    """2023 in UTC: load 100 + hour of day, times 1 - drop[hour] on US public holidays."""
    frame = hours(24 * 365)
    hol = holiday_flags(frame, TZ, CAL).to_numpy()
    hour = np.arange(frame.height) % 24
    value = (100.0 + hour) * np.where(hol, 1 - drop[hour], 1.0)
    return frame.with_columns(pl.Series(S.VALUE, value))


def test_holiday_effects__hand_worked_year():
    # Every holiday hour h is 1 - drop[h] times the same hour a week before and after, so its
    # effect is -drop[h] (New Year's Day, with no week before, against the week after alone);
    # the median of equal ratios is that ratio.
    drop = np.linspace(0.0, 0.23, 24)
    eff = holiday_effects(year_with_holidays(drop), TZ, CAL)
    assert eff["hour"].to_list() == list(range(24))
    np.testing.assert_allclose(eff[EFFECT].to_numpy(), -drop, atol=1e-12)


def test_holiday_effects__too_few_holidays_or_no_calendar_gives_no_rows():
    two_weeks = year_with_holidays(np.full(24, 0.2)).head(24 * 14)  # Jan 1 and 2 only
    assert holiday_effects(two_weeks, TZ, CAL).is_empty()
    assert not holiday_effects(two_weeks, TZ, CAL, min_holidays=2).is_empty()
    assert holiday_effects(year_with_holidays(np.full(24, 0.2)), TZ, {}).is_empty()


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(0.01, 1e5), drop=st.floats(-0.3, 0.5))
def test_holiday_effects__do_not_depend_on_the_unit_of_load(scale, drop):
    year = year_with_holidays(np.full(24, drop))
    a = holiday_effects(year, TZ, CAL)[EFFECT].to_numpy()
    b = holiday_effects(year.with_columns(pl.col(S.VALUE) * scale), TZ, CAL)[EFFECT].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_holiday_factor__one_plus_the_effect_on_holiday_hours_in_local_time_only():
    # July 4th 2024 in New York: local midnight is 04:00 UTC, so the holiday's hours 0..23 are
    # UTC rows 4..27 of the day; every other hour keeps factor 1.
    tz, cal = {"ny": "America/New_York"}, {"ny": "US"}
    effects = pl.DataFrame(
        {S.REGION: "ny", "hour": list(range(24)), EFFECT: [-0.01 * h for h in range(24)]},
        schema={S.REGION: pl.String, "hour": pl.Int8, EFFECT: pl.Float64},
    )
    start = datetime(2024, 7, 4, tzinfo=UTC)
    rows = pl.DataFrame({S.REGION: "ny", S.TS: [start + timedelta(hours=h) for h in range(48)]}).with_columns(
        pl.col(S.TS).cast(S.UTC_TS)
    )
    f = holiday_factor(rows, effects, tz, cal).to_numpy()
    expected = np.ones(48)
    expected[4:28] = 1 - 0.01 * np.arange(24)
    np.testing.assert_allclose(f, expected)
    assert holiday_factor(rows, effects.head(0), tz, cal).to_list() == [1.0] * 48
    assert date(2024, 7, 4).weekday() == 3
