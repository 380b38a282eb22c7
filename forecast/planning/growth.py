"""AI-demand growth, monthly: a logistic curve (scipy) or a damped-trend ETS (statsmodels).

Both are fitted to the monthly mean of a region's `ai_demand`; the one with the lower error on
the last `holdout_months` is refitted on all months and used. A logistic curve suits build-outs
that saturate; damped ETS suits histories too short or too noisy to show the bend.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Self

import numpy as np
from scipy.optimize import curve_fit
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from forecast.models.base import NotFittedError


@dataclass(frozen=True)
class GrowthParams:
    """How AI-demand growth is fitted and chosen."""

    holdout_months: int = field(default=6, metadata={"description": "Months held out to choose the method."})
    min_months: int = field(default=12, metadata={"description": "Fewer months than this: damped ETS only."})
    max_saturation_multiple: float = field(
        default=10.0,
        metadata={
            "description": "Logistic ceiling at most this multiple of the largest month seen "
            "(assumption: bounds the ceiling when the history shows no bend)."
        },
    )


def logistic(t: np.ndarray, ceiling: float, rate: float, midpoint: float) -> np.ndarray:
    """ceiling / (1 + exp(-rate (t - midpoint))), t in years."""
    return ceiling / (1.0 + np.exp(-rate * (t - midpoint)))


def _fit_logistic(t: np.ndarray, y: np.ndarray, params: GrowthParams) -> tuple[float, float, float] | None:
    top = float(max(y.max(), 1e-6))
    guess = (min(2.0 * top, params.max_saturation_multiple * top), 1.0, float(t[-1]))
    bounds = ([top, 0.01, t[0] - 20.0], [params.max_saturation_multiple * top, 10.0, t[-1] + 20.0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found, _ = curve_fit(logistic, t, y, p0=guess, bounds=bounds, maxfev=5000)
    except (RuntimeError, ValueError):
        return None
    return float(found[0]), float(found[1]), float(found[2])


def _damped_forecast(y: np.ndarray, steps: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(y, trend="add", damped_trend=True, initialization_method="estimated").fit()
    return np.asarray(fit.forecast(steps), dtype=float)


class AIDemandGrowth:
    """Fit on monthly AI demand (MW, oldest first); predict the months after the last one."""

    name = "ai-growth"

    def __init__(self, params: GrowthParams | None = None) -> None:
        self.params = params or GrowthParams()
        self.method: str | None = None
        self.holdout_mae: dict[str, float] = {}

    @property
    def is_fitted(self) -> bool:
        """True once fit() has run."""
        return self.method is not None

    def fit(self, monthly_mw: np.ndarray) -> Self:
        """Choose and fit the method; an empty or all-zero history is a flat zero curve."""
        y = np.asarray(monthly_mw, dtype=float)
        self.y = y
        self.t = np.arange(len(y)) / 12.0
        self.holdout_mae = {}
        if len(y) == 0 or not np.any(y > 0):
            self.method = "none"
            return self
        h = self.params.holdout_months
        if len(y) < max(self.params.min_months, h + 6):
            self.method = "damped_ets" if len(y) >= 4 else "flat"
        else:
            train_t, train_y, test_y = self.t[:-h], y[:-h], y[-h:]
            curve = _fit_logistic(train_t, train_y, self.params)
            if curve is not None:
                self.holdout_mae["logistic"] = float(np.abs(logistic(self.t[-h:], *curve) - test_y).mean())
            self.holdout_mae["damped_ets"] = float(np.abs(_damped_forecast(train_y, h) - test_y).mean())
            self.method = min(self.holdout_mae, key=self.holdout_mae.get)
        self.curve = _fit_logistic(self.t, y, self.params) if self.method == "logistic" else None
        if self.method == "logistic" and self.curve is None:
            self.method = "damped_ets"
        return self

    def predict(self, steps: int) -> np.ndarray:
        """Monthly MW for the `steps` months after the last fitted month (never negative)."""
        if not self.is_fitted:
            raise NotFittedError(self.name)
        if self.method == "none":
            return np.zeros(steps)
        if self.method == "flat":
            return np.full(steps, float(self.y[-1]))
        if self.method == "logistic":
            future = self.t[-1] + np.arange(1, steps + 1) / 12.0
            return logistic(future, *self.curve)
        return np.clip(_damped_forecast(self.y, steps), 0.0, None)

    @property
    def level(self) -> float:
        """The last observed monthly MW."""
        return float(self.y[-1]) if len(self.y) else 0.0
