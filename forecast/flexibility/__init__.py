"""Curtailment-enabled headroom (issue #17): history by the Duke study's method, and forward bands.

`backtest_year` and `BacktestYear` load on first use: they need the monthly outlook (statsmodels),
which the history and the seasonal-peak basis on the serving path do not.
"""

from typing import Any

from forecast.flexibility.basis import (
    BASES,
    CAPACITY_SERIES,
    SEASONAL_PEAK,
    CapacityBases,
    seasonal_peak_capacity,
    seasonal_peak_months,
    thresholds_of,
    with_seasonal_peak,
)
from forecast.flexibility.cleaning import (
    CleaningParams,
    CleanLoad,
    DuplicateHoursError,
    InsufficientYearsError,
    clean_load,
    implausible,
)
from forecast.flexibility.curtailment import (
    DEFAULT_LIMITS_PCT,
    InvalidLimitError,
    NoSeasonPeakError,
    Thresholds,
    curtailment_rate,
    curtailment_stats,
    headroom_from_gaps,
    headroom_mw,
    seasonal_thresholds,
)
from forecast.flexibility.forward import (
    NoWholeYearError,
    OutlookSamples,
    SampleShapeError,
    forward_flexibility,
    year_headroom_samples,
)
from forecast.flexibility.historical import (
    LimitResult,
    RegionFlexibility,
    SeasonalThresholds,
    analyse,
    curtailment_calendar,
    flexibility,
)

__all__ = [
    "BASES", "CAPACITY_SERIES", "DEFAULT_LIMITS_PCT", "SEASONAL_PEAK", "BacktestYear", "CapacityBases",
    "CleanLoad", "CleaningParams", "DuplicateHoursError", "InsufficientYearsError", "InvalidLimitError",
    "LimitResult", "NoSeasonPeakError", "NoWholeYearError", "OutlookSamples", "RegionFlexibility",
    "SampleShapeError", "SeasonalThresholds", "Thresholds", "analyse", "backtest_year", "clean_load",
    "curtailment_calendar", "curtailment_rate", "curtailment_stats", "flexibility",
    "forward_flexibility", "headroom_from_gaps", "headroom_mw", "implausible", "seasonal_peak_capacity",
    "seasonal_peak_months", "seasonal_thresholds", "thresholds_of", "with_seasonal_peak",
    "year_headroom_samples",
]


def __getattr__(name: str) -> Any:
    if name in ("BacktestYear", "backtest_year"):
        from forecast.flexibility import backtest

        return getattr(backtest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
