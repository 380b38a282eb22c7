"""Forecast models: each fits on a long frame `region, ts, value` and predicts quantiles or paths.

The heavy models are imported from their modules (`forecast.models.gbm`, `forecast.models.statsm`)
so that importing this package stays cheap for the CLI.
"""

from forecast.models.base import ForecastModel, NotFittedError
from forecast.models.calibrated import CalibratedModel, CalibrationParams, InsufficientHistoryError
from forecast.models.naive import SeasonalNaive, SeasonalNaiveRule

__all__ = [
    "CalibratedModel",
    "CalibrationParams",
    "ForecastModel",
    "InsufficientHistoryError",
    "NotFittedError",
    "SeasonalNaive",
    "SeasonalNaiveRule",
]
