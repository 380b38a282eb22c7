"""Forecast models: each fits on a long frame `region, ts, value` and predicts quantiles or paths."""

from forecast.models.base import ForecastModel, NotFittedError
from forecast.models.naive import SeasonalNaive

__all__ = ["ForecastModel", "NotFittedError", "SeasonalNaive"]
