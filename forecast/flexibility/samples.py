"""OutlookSamples from the series the monthly outlook reads: peak load, AI demand per scenario, capacity.

The same model as forecast/planning/outlook.py, sampled for whole calendar years: monthly peaks
of grid_load (complete months before the as-of month) fitted by `peak_samples`; AI demand grown
by `AIDemandGrowth` from its monthly means and rescaled per scenario by `apply_scenario`, with
the outlook's persistent log-normal level error (one draw per sample, shared by the scenarios so
they differ only by scenario); capacity from the capacity series by `capacity_path` when the
region has one (basis `capacity_series`), else None (basis `seasonal_peak`).
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.flexibility.forward import OutlookSamples
from forecast.planning.growth import AIDemandGrowth
from forecast.planning.outlook import (
    InsufficientHistoryError,
    OutlookParams,
    add_months,
    capacity_path,
    month_start,
    monthly,
    peak_samples,
)
from forecast.planning.scenarios import SCENARIOS, apply_scenario

FORWARD_YEARS = 5


def forward_months(as_of: date | datetime, years: int = FORWARD_YEARS) -> list[date]:
    """First days of the months of the `years` whole calendar years after the as-of year."""
    first = date(as_of.year + 1, 1, 1)
    return [add_months(first, k) for k in range(12 * years)]


def outlook_samples(
    grid_load: pl.DataFrame,
    ai_demand: pl.DataFrame,
    capacity: pl.DataFrame,
    region: str,
    as_of: date | datetime,
    years: int = FORWARD_YEARS,
    params: OutlookParams | None = None,
) -> OutlookSamples:
    """Joint samples of the next `years` calendar years' months (long hourly frames in, UTC)."""
    params = params or OutlookParams()
    for name, frame in (("grid_load", grid_load), ("ai_demand", ai_demand), ("capacity", capacity)):
        S.require_columns(frame, (S.REGION, S.TS, S.VALUE), f"outlook_samples({name})")
    start = month_start(as_of)
    future = forward_months(as_of, years)
    peaks = monthly(grid_load, region, start, "max", params.complete_share)
    if peaks.height < params.min_months:
        raise InsufficientHistoryError(region, peaks.height, params.min_months)
    rng = np.random.default_rng(params.seed)
    load = peak_samples(peaks, future, params, rng)
    ai_hist = monthly(ai_demand, region, start, "mean", params.complete_share)
    growth = AIDemandGrowth(params.growth).fit(ai_hist[S.VALUE].to_numpy())
    last = ai_hist["month"][-1] if ai_hist.height else add_months(start, -1)
    gap = (future[0].year - last.year) * 12 + future[0].month - last.month
    base_path = growth.predict(gap - 1 + len(future))[gap - 1 :]
    horizon_years = ((np.arange(len(future)) + gap) / 12.0)
    level = np.exp(rng.standard_normal((params.n_samples, 1))
                   * params.ai_uncertainty_per_sqrt_year * np.sqrt(horizon_years)[None, :])
    ai = {
        name: apply_scenario(base_path, growth.level, horizon_years, scenario)[None, :] * level
        for name, scenario in SCENARIOS.items()
    }
    has_capacity = capacity.filter(pl.col(S.REGION) == region).height > 0
    cap = capacity_path(capacity, region, future, None) if has_capacity else None
    return OutlookSamples(tuple(future), load, ai, cap)
