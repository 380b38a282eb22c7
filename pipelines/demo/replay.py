"""Replays a real hourly series as a live feed: shifted by whole 364-day steps to end at `now`."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import polars as pl

from forecast import schema as S
from forecast.errors import UserError

STEP_DAYS = 364  # 52 weeks: a shift by whole steps keeps weekday and hour of day


class ReplayTooLongError(UserError, ValueError):
    """More days were asked for than the shipped sample can replay."""

    def __init__(self, days: int, available: int) -> None:
        super().__init__(
            f"--days {days} is more than the shipped samples can replay ({available} days); "
            f"use --days {available} or fewer"
        )


def latest_hour(now: datetime) -> datetime:
    """`now` floored to the whole hour."""
    return now.replace(minute=0, second=0, microsecond=0)


def replay_shift_days(last_ts: datetime, now: datetime) -> int:
    """Smallest whole multiple of 364 days that moves `last_ts` to or past the latest hour."""
    gap = latest_hour(now) - last_ts
    steps = max(0, math.ceil(gap / timedelta(days=STEP_DAYS)))
    return steps * STEP_DAYS


def max_replay_days(sample: pl.DataFrame) -> int:
    """Days that can always be replayed whatever `now` is (the sample less one shift step)."""
    span = sample[S.TS].max() - sample[S.TS].min() + timedelta(hours=1)
    return span.days - STEP_DAYS


def replay(sample: pl.DataFrame, now: datetime, days: int) -> tuple[pl.DataFrame, int]:
    """The last `days` of the sample, shifted to end at the latest whole hour; and the shift in days.

    Original timestamps are `ts - shift_days`; the shift is stored with the rows (their source).
    """
    available = max_replay_days(sample)
    if days > available:
        raise ReplayTooLongError(days, available)
    end = latest_hour(now)
    shift_days = replay_shift_days(sample[S.TS].max(), now)
    shifted = sample.with_columns(pl.col(S.TS) + timedelta(days=shift_days))
    window = shifted.filter((pl.col(S.TS) <= end) & (pl.col(S.TS) > end - timedelta(days=days))).sort(S.TS)
    return window, shift_days
