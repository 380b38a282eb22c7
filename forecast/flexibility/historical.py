"""A region's curtailment-enabled headroom from its history, and when that curtailment would fall.

`flexibility(frame, region, timezone)` cleans the region's hourly load (cleaning.py), keeps whole
local calendar years, takes the seasonal thresholds and solves the headroom at each limit
(curtailment.py); per limit it also reports curtailed hours per year, mean event length, the
shares of curtailed hours in which at least 50/75/90 % of the new load still runs, and the
seasons they fall in. `curtailment_calendar` counts the curtailed hours per local month and hour
of day at one limit, for a heatmap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from forecast.flexibility.cleaning import MONTH, CleaningParams, CleanLoad, clean_load
from forecast.flexibility.curtailment import (
    DEFAULT_LIMITS_PCT,
    curtailed_mask,
    curtailment_stats,
    headroom_mw,
    load_factor,
    seasonal_thresholds,
)

CURTAILED_HOURS = "curtailed_hours"
SHARE = "share"


class SeasonalThresholds(BaseModel):
    """Seasonal peak thresholds (MW)."""

    model_config = ConfigDict(frozen=True)
    summer: float = Field(description="Highest load in Jun-Aug; held in Apr-Oct.")
    winter: float = Field(description="Highest load in Dec-Feb; held in Nov-Mar.")


class LimitResult(BaseModel):
    """Headroom and the shape of its curtailment at one limit."""

    model_config = ConfigDict(frozen=True)
    limit_pct: float = Field(description="Share of the new load's energy that may be curtailed (%).")
    headroom_mw: float = Field(description="Constant new load whose mean yearly curtailment is the limit.")
    curtailed_hours_per_year: float = Field(description="Hours with any curtailment, per year.")
    mean_event_hours: float = Field(description="Mean length of runs of consecutive curtailed hours.")
    retained_50: float = Field(description="Share of curtailed hours in which >= 50 % of the new load runs.")
    retained_75: float = Field(description="Share of curtailed hours in which >= 75 % of the new load runs.")
    retained_90: float = Field(description="Share of curtailed hours in which >= 90 % of the new load runs.")
    winter_share: float = Field(description="Share of curtailed hours in Dec-Feb.")
    summer_share: float = Field(description="Share of curtailed hours in Jun-Aug.")
    shoulder_share: float = Field(description="Share of curtailed hours in the other months.")


class RegionFlexibility(BaseModel):
    """Curtailment-enabled headroom of one region (the `GET /v1/regions/{region}/flexibility` body)."""

    model_config = ConfigDict(frozen=True)
    region: str
    timezone: str = Field(description="IANA zone whose calendar years, months and hours are used.")
    years: tuple[int, int] = Field(description="First and last whole local calendar year analysed.")
    thresholds_mw: SeasonalThresholds
    filled_hours: int = Field(description="Hours missing or implausible in those years, interpolated.")
    load_factor: float = Field(description="Mean load / peak load over those years.")
    limits: list[LimitResult]


def analyse(clean: CleanLoad, limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT) -> RegionFlexibility:
    """Headroom and curtailment figures at each limit for already cleaned load."""
    load, year, month, _ = clean.arrays()
    thresholds = seasonal_thresholds(load, month)
    threshold = thresholds.per_hour(month)
    headroom = headroom_mw(load, threshold, year, tuple(limits_pct))
    rows = []
    for limit, mw in zip(limits_pct, headroom, strict=True):
        stats = curtailment_stats(load, threshold, year, month, float(mw))
        rows.append(LimitResult(
            limit_pct=float(limit), headroom_mw=float(mw),
            curtailed_hours_per_year=stats.curtailed_hours_per_year,
            mean_event_hours=stats.mean_event_hours,
            retained_50=stats.retained[0], retained_75=stats.retained[1], retained_90=stats.retained[2],
            winter_share=stats.winter_share, summer_share=stats.summer_share,
            shoulder_share=stats.shoulder_share,
        ))
    return RegionFlexibility(
        region=clean.region, timezone=clean.timezone, years=clean.years,
        thresholds_mw=SeasonalThresholds(summer=thresholds.summer, winter=thresholds.winter),
        filled_hours=clean.filled_hours, load_factor=load_factor(load), limits=rows,
    )


def flexibility(
    frame: pl.DataFrame,
    region: str,
    timezone: str,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
    years: tuple[int, int] | None = None,
    cleaning: CleaningParams | None = None,
) -> RegionFlexibility:
    """Curtailment-enabled headroom of `region` from long hourly load (`region, ts, value`, ts UTC)."""
    return analyse(clean_load(frame, region, timezone, years, cleaning), limits_pct)


def curtailment_calendar(clean: CleanLoad, limit_pct: float) -> pl.DataFrame:
    """`month, hour, curtailed_hours, share`: where in the local year curtailment at the limit falls.

    All 12 x 24 cells are present; `share` is the cell's part of all curtailed hours (0 if none).
    """
    load, year, month, hour = clean.arrays()
    thresholds = seasonal_thresholds(load, month)
    threshold = thresholds.per_hour(month)
    (mw,) = headroom_mw(load, threshold, year, (limit_pct,))
    hit = curtailed_mask(load, threshold, float(mw)) if mw > 0 else np.zeros(len(load), dtype=bool)
    counts = np.zeros((12, 24), dtype=np.int64)
    np.add.at(counts, (month[hit] - 1, hour[hit]), 1)
    total = counts.sum()
    return pl.DataFrame({
        MONTH: np.repeat(np.arange(1, 13), 24).astype(np.int8),
        "hour": np.tile(np.arange(24), 12).astype(np.int8),
        CURTAILED_HOURS: counts.ravel(),
        SHARE: counts.ravel() / total if total else np.zeros(12 * 24),
    })
