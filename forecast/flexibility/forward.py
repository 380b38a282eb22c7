"""Curtailment-enabled headroom for each future calendar year, per AI-demand scenario, as P10/P50/P90.

Beyond the study: the monthly outlook (forecast/planning/outlook.py) draws joint samples of each
future month's peak grid load and of AI demand per scenario, and a capacity path. For sample s
and future year Y this module builds an hourly load path and solves the headroom on it:

1. Shape: past (cleaned, whole local) year p = years[s mod n_years] lends its hourly load. Each of
   its months is scaled so that the month's peak equals the sample's peak for that month of Y.
   Cycling the past years over the samples carries every year's weather into the band.
2. AI demand of the sample's month is added to every hour of the month (constant per month; it
   is load not metered in grid_load, as in the outlook).
3. Thresholds: the capacity of the month where a capacity path is given (basis
   `capacity_series`), else the historical seasonal thresholds (basis `seasonal_peak`).
4. Headroom at each limit on that one year (curtailment.headroom_from_gaps, exact), then the
   quantiles over samples.

Samples sharing a past year are solved together as one (samples x hours) array: one sort per
row. Only whole calendar years covered by the outlook's months are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from forecast.errors import UserError
from forecast.flexibility.basis import CAPACITY_SERIES, SEASONAL_PEAK
from forecast.flexibility.cleaning import CleanLoad
from forecast.flexibility.curtailment import (
    DEFAULT_LIMITS_PCT,
    Thresholds,
    headroom_from_gaps,
    seasonal_thresholds,
)

QUANTILES = (0.1, 0.5, 0.9)
SCENARIO, YEAR, LIMIT_PCT, BASIS = "scenario", "year", "limit_pct", "basis"


class NoWholeYearError(UserError, ValueError):
    """The outlook's months cover no whole calendar year."""

    def __init__(self, first: date, last: date) -> None:
        super().__init__(
            f"outlook months {first} .. {last} cover no whole calendar year; ask for at least 12 months "
            "starting in January"
        )


class SampleShapeError(UserError, ValueError):
    """Outlook samples whose shapes do not line up with the months."""

    def __init__(self, name: str, shape: tuple[int, ...], expected: str) -> None:
        super().__init__(f"outlook samples: {name} has shape {shape}, expected {expected}")


@dataclass(frozen=True)
class OutlookSamples:
    """The monthly outlook's joint samples (MW), one column per month in `month_starts`."""

    month_starts: tuple[date, ...] = field(metadata={"description": "First day of each month."})
    peak_load: np.ndarray = field(metadata={"description": "(samples, months) monthly peak grid load."})
    ai_demand: Mapping[str, np.ndarray] = field(
        metadata={"description": "Scenario -> (samples, months) or (months,) AI demand not in grid load."}
    )
    capacity: np.ndarray | None = field(
        default=None, metadata={"description": "(months,) or (samples, months); None: seasonal_peak."}
    )

    def __post_init__(self) -> None:
        months = len(self.month_starts)
        n = self.peak_load.shape[0] if self.peak_load.ndim == 2 else -1
        if self.peak_load.ndim != 2 or self.peak_load.shape[1] != months:
            raise SampleShapeError("peak_load", self.peak_load.shape, f"(samples, {months})")
        arrays = {f"ai_demand[{k}]": v for k, v in self.ai_demand.items()}
        if self.capacity is not None:
            arrays["capacity"] = self.capacity
        for name, a in arrays.items():
            if np.shape(a) not in ((months,), (n, months)):
                raise SampleShapeError(name, np.shape(a), f"({months},) or ({n}, {months})")


def whole_years(month_starts: Sequence[date]) -> dict[int, np.ndarray]:
    """Year -> indices of its 12 months, for the calendar years fully covered."""
    out: dict[int, list[int]] = {}
    for i, m in enumerate(month_starts):
        out.setdefault(m.year, []).append(i)
    return {y: np.array(sorted(idx, key=lambda i: month_starts[i].month))
            for y, idx in out.items() if sorted(month_starts[i].month for i in idx) == list(range(1, 13))}


def _per_sample(a: np.ndarray, n: int) -> np.ndarray:
    return np.broadcast_to(a if a.ndim == 2 else a[None, :], (n, a.shape[-1]))


def year_headroom_samples(
    clean: CleanLoad,
    peak: np.ndarray,
    ai: np.ndarray,
    capacity: np.ndarray | None,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
    thresholds: Thresholds | None = None,
) -> np.ndarray:
    """(samples, limits) headroom of one future year from (samples, 12) peaks, AI and capacity by month."""
    load, year, month, _ = clean.arrays()
    thresholds = thresholds or seasonal_thresholds(load, month)
    n = peak.shape[0]
    past = np.unique(year)
    out = np.empty((n, len(limits_pct)))
    for k, p in enumerate(past):
        rows = np.arange(k, n, len(past))
        if rows.size == 0:
            continue
        own = year == p
        shape, m = load[own], month[own].astype(np.int64) - 1
        month_peak = np.zeros(12)
        np.maximum.at(month_peak, m, shape)
        factor = peak[rows] / month_peak[None, :]
        path = shape[None, :] * factor[:, m] + ai[rows][:, m]
        limit = (
            capacity[rows][:, m] if capacity is not None
            else np.broadcast_to(thresholds.per_hour(m + 1)[None, :], path.shape)
        )
        weights = np.full(shape.shape, 1.0 / shape.size)
        out[rows] = headroom_from_gaps(limit - path, weights, tuple(limits_pct))
    return out


def forward_flexibility(
    clean: CleanLoad,
    samples: OutlookSamples,
    limits_pct: Sequence[float] = DEFAULT_LIMITS_PCT,
    quantiles: Sequence[float] = QUANTILES,
) -> pl.DataFrame:
    """`scenario, year, limit_pct, basis, p10, p50, p90` (MW; column names follow `quantiles`)."""
    years = whole_years(samples.month_starts)
    if not years:
        raise NoWholeYearError(samples.month_starts[0], samples.month_starts[-1])
    load, _, month, _ = clean.arrays()
    thresholds = seasonal_thresholds(load, month)
    n = samples.peak_load.shape[0]
    basis = SEASONAL_PEAK if samples.capacity is None else CAPACITY_SERIES
    cap = None if samples.capacity is None else _per_sample(np.asarray(samples.capacity, float), n)
    names = [f"p{round(q * 100)}" for q in quantiles]
    rows = []
    for scenario, ai_all in samples.ai_demand.items():
        ai_all = _per_sample(np.asarray(ai_all, float), n)
        for y, idx in years.items():
            hr = year_headroom_samples(
                clean, samples.peak_load[:, idx], ai_all[:, idx],
                None if cap is None else cap[:, idx], limits_pct, thresholds,
            )
            q = np.quantile(hr, quantiles, axis=0)
            for j, limit in enumerate(limits_pct):
                rows.append({SCENARIO: scenario, YEAR: y, LIMIT_PCT: float(limit), BASIS: basis,
                             **{name: float(q[i, j]) for i, name in enumerate(names)}})
    return pl.DataFrame(rows)
