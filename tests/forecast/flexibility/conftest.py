"""Seeded synthetic hourly load with daily and seasonal shape, stamped in UTC, for the flexibility tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from forecast import schema as S

TZ = "America/New_York"


def synthetic_load(
    region: str = "r1", start: datetime | None = None, end: datetime | None = None, tz: str = TZ,
    seed: int = 1,
) -> pl.DataFrame:
    """`region, ts, value` hourly from `start` to `end` (local, exclusive): summer and winter peaks, noise."""
    zone = ZoneInfo(tz)
    start = start or datetime(2020, 1, 1, tzinfo=zone)
    end = end or datetime(2023, 1, 1, tzinfo=zone)
    ts = pl.datetime_range(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")), "1h",
                           time_zone="UTC", closed="left", eager=True)
    local = ts.dt.convert_time_zone(tz)
    day = local.dt.ordinal_day().to_numpy().astype(float)
    hour = local.dt.hour().to_numpy().astype(float)
    rng = np.random.default_rng(seed)
    season = 1.0 + 0.25 * np.cos(2 * np.pi * (day - 200) / 365) ** 2
    daily = 1.0 + 0.2 * np.sin(2 * np.pi * (hour - 9) / 24)
    value = 1000.0 * season * daily * (1 + 0.03 * rng.standard_normal(len(ts)))
    return pl.DataFrame({S.REGION: region, S.TS: ts.cast(S.UTC_TS), S.VALUE: value})


@pytest.fixture
def three_years() -> pl.DataFrame:
    """Three whole local years (2020-2022) of one region, r1, in New York time."""
    return synthetic_load()
