"""Real series are replayed by whole 364-day steps to end at the latest hour, without gaps."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import schema as S
from pipelines.config.settings import Settings
from pipelines.demo.replay import ReplayTooLongError, max_replay_days, replay
from pipelines.demo.samples import SAMPLES, read_sample

SAMPLES_DIR = Settings().samples


@pytest.fixture(scope="module", params=[s.region for s in SAMPLES])
def sample(request) -> pl.DataFrame:
    return read_sample(SAMPLES_DIR, request.param)


def test_shipped_sample__is_a_complete_hourly_utc_grid(sample):
    steps = sample[S.TS].diff().drop_nulls().unique()
    assert steps.to_list() == [timedelta(hours=1)]
    assert sample[S.VALUE].null_count() == 0
    assert max_replay_days(sample) >= 730


@settings(max_examples=25, deadline=None)
@given(now=st.datetimes(datetime(2025, 1, 1), datetime(2032, 12, 31), timezones=st.just(UTC)))
def test_replay__ends_at_latest_hour_keeping_weekday_and_hour(now):
    sample = read_sample(SAMPLES_DIR, "us-nova")
    out, shift_days = replay(sample, now, days=730)
    assert shift_days % 364 == 0
    assert out[S.TS].max() == now.replace(minute=0, second=0, microsecond=0)
    assert out.height == 730 * 24
    assert out[S.TS].diff().drop_nulls().unique().to_list() == [timedelta(hours=1)]
    original = out.with_columns(pl.col(S.TS) - timedelta(days=shift_days))
    joined = original.join(sample, on=S.TS, suffix="_orig")
    assert joined.height == out.height
    assert (joined[S.VALUE] == joined[f"{S.VALUE}_orig"]).all()
    assert (original[S.TS].dt.weekday() == out[S.TS].dt.weekday()).all()


def test_replay__more_days_than_shipped_is_a_clear_error():
    sample = read_sample(SAMPLES_DIR, "de-fra")
    with pytest.raises(ReplayTooLongError, match="use --days"):
        replay(sample, datetime(2026, 1, 1, tzinfo=UTC), days=5000)
