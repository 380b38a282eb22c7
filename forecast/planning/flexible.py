"""Firm and flexible headroom at a target date, side by side, for queue risk and siting (#17 item 2).

Firm: the outlook's headroom at the target month's peak (the samples queue risk already reads).
Flexible: curtailment-enabled headroom of the target's calendar year from the forward method
(`forecast/flexibility/forward.py`: past years' hourly shapes scaled to the outlook's sampled
monthly peaks, AI demand on top, against capacity or the seasonal-peak thresholds): the MW of
new constant load that would be curtailed at most `curtailment_pct` % of its energy that year.
A load that accepts that curtailment is served when connected and the flexible headroom covers
its MW: p_energized_flexible = p_connected x P(flexible headroom >= MW).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from pydantic import BaseModel, Field

from forecast.errors import InvalidInputError
from forecast.flexibility.basis import CAPACITY_SERIES, SEASONAL_PEAK
from forecast.flexibility.cleaning import CleanLoad
from forecast.flexibility.forward import NoWholeYearError, OutlookSamples, whole_years, year_headroom_samples

RANK_BY = ("firm", "flexible")


class InvalidCurtailmentError(InvalidInputError):
    """A curtailment limit outside (0, 100) %."""

    def __init__(self, value: float) -> None:
        self.field, self.value = "curtailment_pct", value
        super().__init__(f"curtailment_pct must be above 0 and below 100 (% of energy), got {value:g}")


class Band(BaseModel):
    """P10/P50/P90 of headroom, MW."""

    p10: float
    p50: float
    p90: float


class FirmHeadroom(BaseModel):
    """Firm headroom: the load runs whenever it wants."""

    month: date = Field(description="The target month (its peak is where headroom is taken).")
    headroom_mw: Band = Field(description="Headroom at the target month's peak.")
    p_headroom_holds: float = Field(description="P(headroom >= MW in the target month and hold_months on).")
    p_energized: float = Field(description="p_connected x p_headroom_holds (the answer's headline).")


class FlexibleHeadroom(BaseModel):
    """Curtailment-enabled headroom: the load steps down in the few peak hours of the year."""

    year: int = Field(description="Calendar year the flexible headroom is computed for (the target's).")
    curtailment_pct: float = Field(description="Share of the new load's energy it accepts to lose, %.")
    basis: str = Field(description="capacity_series or seasonal_peak: what the load is measured against.")
    headroom_mw: Band = Field(description="MW of constant new load curtailed at most curtailment_pct %.")
    p_headroom_fits: float = Field(description="P(flexible headroom of the year >= MW).")
    p_energized: float = Field(description="p_connected x p_headroom_fits.")


class HeadroomAtTarget(BaseModel):
    """Firm and flexible headroom at the target date, side by side."""

    firm: FirmHeadroom
    flexible: FlexibleHeadroom | None = Field(None, description="Present when flexible: true was asked.")


@dataclass(frozen=True)
class FlexibleRequest:
    """What a planner asks about a flexible load."""

    curtailment_pct: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.curtailment_pct < 100:
            raise InvalidCurtailmentError(self.curtailment_pct)


def _per_sample(a: np.ndarray, n: int) -> np.ndarray:
    a = np.asarray(a, float)
    return np.broadcast_to(a if a.ndim == 2 else a[None, :], (n, a.shape[-1]))


def band(samples: np.ndarray) -> Band:
    """P10/P50/P90 of a 1-d array of MW, rounded to 0.1 MW."""
    q = np.quantile(samples, [0.1, 0.5, 0.9])
    return Band(p10=round(float(q[0]), 1), p50=round(float(q[1]), 1), p90=round(float(q[2]), 1))


def firm_headroom(
    paths: np.ndarray, month_index: int, month: date, p_holds: float, p_connected: float
) -> FirmHeadroom:
    """The firm side from the outlook's (samples, months) headroom paths."""
    return FirmHeadroom(
        month=month, headroom_mw=band(paths[:, month_index]),
        p_headroom_holds=round(p_holds, 4), p_energized=round(p_connected * p_holds, 4),
    )


def flexible_year(target: date, samples: OutlookSamples) -> int:
    """The target's calendar year, or the first whole year sampled when the target's is not."""
    years = whole_years(samples.month_starts)
    if not years:
        raise NoWholeYearError(samples.month_starts[0], samples.month_starts[-1])
    return target.year if target.year in years else min(years)


def flexible_headroom(
    clean: CleanLoad,
    samples: OutlookSamples,
    scenario: str,
    target: date,
    mw: float,
    p_connected: float,
    request: FlexibleRequest,
) -> FlexibleHeadroom:
    """Curtailment-enabled headroom of the target's year at `request.curtailment_pct`, per sample."""
    year = flexible_year(target, samples)
    idx = whole_years(samples.month_starts)[year]
    n = samples.peak_load.shape[0]
    ai = _per_sample(samples.ai_demand[scenario], n)
    cap = None if samples.capacity is None else _per_sample(samples.capacity, n)
    per_sample = year_headroom_samples(
        clean, samples.peak_load[:, idx], ai[:, idx], None if cap is None else cap[:, idx],
        (request.curtailment_pct,),
    )[:, 0]
    fits = float((per_sample >= mw).mean())
    return FlexibleHeadroom(
        year=year,
        curtailment_pct=request.curtailment_pct,
        basis=SEASONAL_PEAK if samples.capacity is None else CAPACITY_SERIES,
        headroom_mw=band(per_sample),
        p_headroom_fits=round(fits, 4),
        p_energized=round(p_connected * fits, 4),
    )
