"""Features never look past the forecast origin; calendar features follow local time and holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from forecast import schema as S
from forecast.features.calendar import add_calendar
from forecast.features.lags import ORIGIN, design_frame
from forecast.models.gbm import GlobalLightGBM

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def history(hours: int, seed: int, temperature: bool) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame({
        S.REGION: "r", S.TS: [T0 + timedelta(hours=h) for h in range(hours)],
        S.VALUE: 100 + rng.normal(0, 5, hours).cumsum(),
    }).with_columns(pl.col(S.TS).cast(S.UTC_TS))
    if temperature:
        frame = frame.with_columns(pl.Series(S.TEMPERATURE, rng.normal(10, 3, hours)))
    return frame


def features_at(frame: pl.DataFrame, origin: datetime, horizon: int) -> pl.DataFrame:
    model = GlobalLightGBM(calendars={"r": "US-VA"}, timezones={"r": "America/New_York"})
    model._codes = {"r": 0}
    origins = pl.DataFrame({S.REGION: ["r"], ORIGIN: [origin]}).with_columns(pl.col(ORIGIN).cast(S.UTC_TS))
    return model.features(design_frame(origins, horizon), frame, pl.DataFrame()).sort("step")


def test_features__unchanged_when_every_value_after_the_origin_changes():
    frame = history(600, 1, temperature=False)
    origin = T0 + timedelta(hours=400)
    changed = frame.with_columns(
        pl.when(pl.col(S.TS) > origin).then(pl.col(S.VALUE) * 3 + 1e4).otherwise(pl.col(S.VALUE))
    )
    for horizon in (1, 24, 168):
        assert_frame_equal(features_at(frame, origin, horizon), features_at(changed, origin, horizon))


def test_features__later_load_cannot_leak_through_temperature_columns():
    # Temperature at the target hour is an input forecast by design; load after the origin is not.
    frame = history(600, 2, temperature=True)
    origin = T0 + timedelta(hours=450)
    changed = frame.with_columns(
        pl.when(pl.col(S.TS) > origin).then(-pl.col(S.VALUE)).otherwise(pl.col(S.VALUE))
    )
    assert_frame_equal(features_at(frame, origin, 48), features_at(changed, origin, 48))


def test_features__change_when_a_value_at_the_origin_changes():
    frame = history(600, 3, temperature=False)
    origin = T0 + timedelta(hours=400)
    changed = frame.with_columns(
        pl.when(pl.col(S.TS) == origin).then(pl.col(S.VALUE) + 50).otherwise(pl.col(S.VALUE))
    )
    assert not features_at(frame, origin, 24).equals(features_at(changed, origin, 24))


def test_calendar__uses_local_time_and_the_regions_holiday_calendar():
    # 2024-07-04 04:00 UTC is 00:00 on Independence Day in New York; in Oslo it is an ordinary day.
    ts = datetime(2024, 7, 4, 4, tzinfo=UTC)
    design = pl.DataFrame({S.REGION: ["va", "no"], S.TS: [ts, ts]}).with_columns(pl.col(S.TS).cast(S.UTC_TS))
    out = add_calendar(design, {"va": "America/New_York", "no": "Europe/Oslo"}, {"va": "US-VA", "no": "NO"})
    va, no = out.sort(S.REGION, descending=True).iter_rows(named=True)
    assert (va["hour"], va["holiday"], va["weekday"]) == (0, 1, 4)
    assert (no["hour"], no["holiday"]) == (6, 0)


def test_calendar__region_without_a_calendar_has_no_holidays():
    ts = datetime(2024, 12, 25, 12, tzinfo=UTC)
    design = pl.DataFrame({S.REGION: ["x"], S.TS: [ts]}).with_columns(pl.col(S.TS).cast(S.UTC_TS))
    assert add_calendar(design, {}, {})["holiday"][0] == 0


def test_mean_day7__is_the_mean_of_the_target_hour_over_the_seven_latest_days():
    frame = history(600, 4, temperature=False)
    origin = T0 + timedelta(hours=400)
    feats = features_at(frame, origin, 30)
    values = frame[S.VALUE].to_numpy()
    for step in (1, 24, 25, 30):
        lag = 24 * -(-step // 24)  # latest same hour at or before the origin
        target = 400 + step - lag
        expected = np.mean([values[target - 24 * d] for d in range(7)])
        row = feats.filter(pl.col("step") == step).row(0, named=True)
        assert row["mean_day7"] * row["scale"] == pytest.approx(expected)
