"""Synthetic capacity, AI demand, queue requests and whole regions for the demo (pure, seeded).

No public source exists for per-region capacity, AI load or large-load queues, so the demo makes
them. Every parameter is a named field with its meaning, so tests can check that models recover it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.catalog import Region


@dataclass(frozen=True)
class CapacityParams:
    """Firm capacity serving a region: peak demand times (1 + reserve margin), with step changes."""

    reserve_margin: float = field(
        default=0.15, metadata={"description": "Capacity above peak load + full AI load."}
    )
    steps: tuple[tuple[float, float], ...] = field(
        default=((0.3, 0.03), (0.6, -0.02), (0.85, 0.04)),
        metadata={
            "description": "(position in the history 0-1, relative change): additions > 0, retirements < 0."
        },
    )


@dataclass(frozen=True)
class AIDemandParams:
    """AI load not metered in grid_load, growing on an S-curve towards racks x rack kW x PUE."""

    racks: int = field(default=8000, metadata={"description": "Racks at full build-out."})
    pue: float = field(default=1.25, metadata={"description": "Power usage effectiveness."})
    midpoint_years: float = field(default=1.0, metadata={"description": "S-curve midpoint, years after now."})
    growth_per_year: float = field(default=1.2, metadata={"description": "Logistic steepness, 1/years."})
    mix: tuple[float, float, float] = field(
        default=(0.5, 0.35, 0.15),
        metadata={"description": "Share of training, inference and multi-step agentic workloads."},
    )
    noise: float = field(default=0.01, metadata={"description": "AR(1) noise sd, fraction of level."})


@dataclass(frozen=True)
class QueueParams:
    """Interconnection requests whose waits fall inside the region's catalog range."""

    n_requests: int = field(default=240, metadata={"description": "Requests made over the history."})
    history_years: float = field(default=10.0, metadata={"description": "Years of requests before now."})
    median_mw: float = field(default=150.0, metadata={"description": "Median requested MW (lognormal)."})
    sigma_mw: float = field(default=0.9, metadata={"description": "Lognormal sigma of requested MW."})
    load_share: float = field(
        default=0.6, metadata={"description": "Share of load (vs generation) requests."}
    )
    size_weight: float = field(
        default=0.55, metadata={"description": "How much size rank pushes the wait up (0-1)."}
    )
    withdraw_share: float = field(default=0.2, metadata={"description": "Share of requests that withdraw."})


@dataclass(frozen=True)
class LoadParams:
    """A synthetic region's hourly load: seasonal shapes, holidays, noise and growth."""

    base_mw: float = field(default=3000.0, metadata={"description": "Mean load, MW."})
    daily: float = field(default=0.12, metadata={"description": "Daily amplitude (peak 18:00 local)."})
    weekend: float = field(default=0.06, metadata={"description": "Weekend reduction."})
    annual: float = field(
        default=0.15, metadata={"description": "Annual amplitude (winter and summer peaks)."}
    )
    holiday: float = field(default=0.08, metadata={"description": "Reduction on public holidays."})
    noise: float = field(default=0.02, metadata={"description": "AR(1) noise sd, fraction of base."})
    growth_per_year: float = field(default=0.02, metadata={"description": "Trend growth per year."})


# Tight reserve margins in Northern Virginia and Frankfurt, loose in the Nordics.
CAPACITY = {
    "us-nova": CapacityParams(reserve_margin=0.06),
    "de-fra": CapacityParams(reserve_margin=0.08),
    "nordics": CapacityParams(reserve_margin=0.45),
    "us-wtx": CapacityParams(reserve_margin=0.20),
}
AI_DEMAND = {
    "us-nova": AIDemandParams(racks=40000, pue=1.3, midpoint_years=0.0),
    "de-fra": AIDemandParams(racks=15000, pue=1.25, midpoint_years=1.0),
    "nordics": AIDemandParams(racks=4000, pue=1.1, midpoint_years=0.5),
    "us-wtx": AIDemandParams(racks=10000, pue=1.2, midpoint_years=0.3),
}
AR_COEF = 0.9


def _ar1(rng: np.random.Generator, n: int, sd: float) -> np.ndarray:
    """Stationary AR(1) noise with marginal standard deviation `sd`."""
    shocks = rng.normal(0.0, sd * np.sqrt(1 - AR_COEF**2), n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sd)
    for i in range(1, n):
        out[i] = AR_COEF * out[i - 1] + shocks[i]
    return out


def _local_hours(ts: pl.Series, tz: str) -> tuple[np.ndarray, np.ndarray]:
    local = ts.dt.convert_time_zone(tz)
    return local.dt.hour().to_numpy(), local.dt.weekday().to_numpy()


def ai_demand_level(params: AIDemandParams, rack_kw: float, years_from_now: np.ndarray) -> np.ndarray:
    """Installed AI load in MW on the S-curve (before the hourly workload profile)."""
    full_mw = params.racks * rack_kw * params.pue / 1000.0
    return full_mw / (1.0 + np.exp(-params.growth_per_year * (years_from_now - params.midpoint_years)))


def ai_demand(region: Region, ts: pl.Series, now: datetime, params: AIDemandParams, seed: int) -> np.ndarray:
    """Hourly AI demand (MW): S-curve level times the mix of workload profiles, never above build-out."""
    rng = np.random.default_rng(seed)
    years = (ts - now).dt.total_hours().to_numpy() / 8766.0
    level = ai_demand_level(params, region.rack_kw[1], years)
    hour, weekday = _local_hours(ts, region.timezone)
    diurnal = 0.5 * (1 + np.cos(2 * np.pi * (hour - 14) / 24))  # 1 at 14:00 local, 0 at 02:00
    workday = np.where(weekday <= 5, 1.0, 0.7)
    training = np.full(len(ts), 0.95)
    inference = 0.75 + 0.25 * diurnal
    agentic = (0.6 + 0.4 * diurnal) * workday
    w_train, w_inf, w_agent = params.mix
    profile = w_train * training + w_inf * inference + w_agent * agentic
    value = level * profile * (1 + _ar1(rng, len(ts), params.noise))
    return np.clip(value, 0.0, level)


def capacity(peak_mw: float, n_hours: int, params: CapacityParams) -> np.ndarray:
    """Hourly firm capacity (MW) with its step changes at the given positions of the history."""
    value = np.full(n_hours, peak_mw * (1 + params.reserve_margin))
    for position, change in params.steps:
        value[int(position * n_hours) :] *= 1 + change
    return value


def queue_requests(region: Region, now: datetime, params: QueueParams, seed: int) -> pl.DataFrame:
    """Requests with waits in the catalog's queue range (larger waits longer), some withdrawn or active."""
    rng = np.random.default_rng(seed)
    n = params.n_requests
    lo, hi = region.queue_years
    requested_days = np.sort(rng.uniform(0, params.history_years * 365.25, n))
    requested = [now.date() - timedelta(days=int(d)) for d in requested_days[::-1]]
    mw = np.clip(np.round(rng.lognormal(np.log(params.median_mw), params.sigma_mw, n), 1), 5.0, 3000.0)
    size_rank = (np.argsort(np.argsort(mw)) + 0.5) / n
    u = np.clip(params.size_weight * size_rank + (1 - params.size_weight) * rng.uniform(size=n), 0.02, 0.98)
    wait_days = (lo + (hi - lo) * u) * 365.25
    withdraws = rng.uniform(size=n) < params.withdraw_share
    withdraw_days = wait_days * rng.uniform(0.1, 0.9, n)
    kinds = np.where(rng.uniform(size=n) < params.load_share, "load", "generation")
    rows = []
    for i in range(n):
        in_service = requested[i] + timedelta(days=round(float(wait_days[i])))
        withdrawn = requested[i] + timedelta(days=round(float(withdraw_days[i])))
        status, in_on, wd_on = "active", None, None
        if withdraws[i] and withdrawn <= now.date():
            status, wd_on = "withdrawn", withdrawn
        elif not withdraws[i] and in_service <= now.date():
            status, in_on = "in_service", in_service
        rows.append(
            {
                S.REGION: region.id,
                "request_id": f"{region.id}-Q{i + 1:04d}",
                "kind": str(kinds[i]),
                "mw": float(mw[i]),
                "requested_on": requested[i],
                "status": status,
                "in_service_on": in_on,
                "withdrawn_on": wd_on,
                S.SOURCE: "demo:synthetic",
            }
        )
    return pl.DataFrame(rows, schema=S.QUEUE_REQUESTS)


def synthetic_load(region: Region, ts: pl.Series, now: datetime, params: LoadParams, seed: int) -> np.ndarray:
    """Hourly load (MW) with daily, weekly and annual seasonality, holidays, AR(1) noise and growth."""
    rng = np.random.default_rng(seed)
    hour, weekday = _local_hours(ts, region.timezone)
    local_dates = ts.dt.convert_time_zone(region.timezone).dt.date()
    day_of_year = local_dates.dt.ordinal_day().to_numpy()
    years = (ts - now).dt.total_hours().to_numpy() / 8766.0
    calendar = region.holiday_calendar(range(ts.min().year, ts.max().year + 1))
    is_holiday = local_dates.is_in(list(calendar.keys())).to_numpy()
    shape = (
        1
        + params.daily * np.cos(2 * np.pi * (hour - 18) / 24)
        - params.weekend * (weekday >= 6)
        + params.annual * np.cos(4 * np.pi * (day_of_year - 15) / 365.25)
        - params.holiday * is_holiday
    )
    growth = (1 + params.growth_per_year) ** years
    return params.base_mw * (shape * growth + _ar1(rng, len(ts), params.noise))


def synthetic_region(index: int, rng: np.random.Generator) -> tuple[Region, LoadParams]:
    """A generated region for scale tests, with its load parameters."""
    zones = ("America/New_York", "America/Chicago", "Europe/Berlin", "Europe/Oslo", "Asia/Tokyo")
    calendars = ("US", "US", "DE", "NO", "JP")
    k = index % len(zones)
    region = Region(
        id=f"syn-{index:04d}",
        name=f"Synthetic region {index}",
        timezone=zones[k],
        holidays=calendars[k],
        queue_years=(1.0, 3.0),
        energy_source="synthetic mix",
        rack_kw=(40.0, 80.0),
        synthetic=True,
    )
    return region, LoadParams(base_mw=float(np.round(rng.lognormal(np.log(3000), 0.6), 0)))


def hourly_index(end: datetime, days: int) -> pl.Series:
    """Hourly UTC timestamps of the `days` days ending at `end` (inclusive)."""
    return pl.datetime_range(
        end - timedelta(days=days) + timedelta(hours=1), end, "1h", time_zone="UTC", eager=True
    ).alias(S.TS)
