"""Monthly outlook up to 60 months: peak grid load, capacity, AI demand by scenario, headroom.

Headroom at month m is taken at the monthly peak: capacity(m) - peak grid_load(m) - ai_demand(m),
with AI load assumed flat through the day (fully coincident with the peak; conservative).
Intervals come from joint samples: a growth-rate draw and monthly residuals for the peak, and a
persistent level error for AI demand that widens with the square root of the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from forecast import schema as S
from forecast.errors import InvalidInputError, UserError
from forecast.planning.growth import AIDemandGrowth, GrowthParams
from forecast.planning.provenance import AnswerMeta
from forecast.planning.scenarios import SCENARIOS, apply_scenario, get_scenario

MODEL_VERSION = "outlook-1.0"
MAX_MONTHS = 240


class InsufficientHistoryError(UserError, ValueError):
    """Too few complete months of grid load to fit the monthly peak."""

    def __init__(self, region: str, months: int, needed: int) -> None:
        super().__init__(
            f"region {region!r} has {months} complete month(s) of grid_load, the outlook needs {needed}; "
            "ingest more history"
        )


class MissingSeriesError(UserError, ValueError):
    """A region lacks a series the outlook needs (the data cannot answer)."""

    def __init__(self, region: str, series: str) -> None:
        self.region, self.series = region, series
        super().__init__(f"region {region!r} has no {series} series; the outlook needs one")


@dataclass(frozen=True)
class OutlookParams:
    """Assumptions of the monthly outlook."""

    n_samples: int = field(default=500, metadata={"description": "Joint samples drawn for intervals."})
    seed: int = field(default=7, metadata={"description": "Seed of the sampler."})
    min_months: int = field(default=8, metadata={"description": "Complete months of load needed to fit."})
    complete_share: float = field(
        default=0.9, metadata={"description": "Share of hours a month needs to count."}
    )
    max_peak_growth_per_year: float = field(
        default=0.30,
        metadata={
            "description": "Sampled peak-load trends are bounded to +/- this per year; wide on "
            "purpose (a guard against a fit on a few months running away, not a view on growth: "
            "the fitted trend decides). Every outlook names the bound and the share of samples it "
            "touched (`peak_growth`)."
        },
    )
    ai_uncertainty_per_sqrt_year: float = field(
        default=0.15,
        metadata={
            "description": "Log-sd of AI demand after one year (grows with sqrt of years); assumption."
        },
    )
    growth: GrowthParams = field(default_factory=GrowthParams)


class OutlookRow(BaseModel):
    """One month of the outlook (MW)."""

    month: date = Field(description="First day of the month.")
    grid_load_peak_p50: float = Field(description="Median of the month's peak grid load.")
    grid_load_peak_p90: float = Field(description="90th percentile of the month's peak grid load.")
    capacity: float = Field(description="Firm capacity in effect at the month's start, with known additions.")
    ai_demand: dict[str, float] = Field(description="AI demand not metered in grid_load, by scenario.")
    headroom: dict[str, float] = Field(
        description="Headroom at the peak, quantiles p10/p50/p90, chosen scenario."
    )


class PeakGrowth(BaseModel):
    """The peak-load trend as fitted, the bound on it, and how much the bound changed."""

    fitted_per_year: float = Field(description="Fitted trend of the monthly peak, relative change per year.")
    standard_error_per_year: float = Field(description="Standard error of the fitted trend (log scale).")
    bound_per_year: float = Field(description="Sampled trends are kept within +/- this per year.")
    share_of_samples_at_bound: float = Field(description="Share of sampled trends the bound clipped.")
    months_fitted: int = Field(description="Complete months of peak load the trend was fitted on.")


class Outlook(AnswerMeta):
    """A region's monthly outlook (the `GET /v1/regions/{region}/outlook` body)."""

    region: str
    scenario: str
    months: int
    data_as_of: date
    model_version: str
    ai_growth_method: str
    peak_growth: PeakGrowth | None = None
    rows: list[OutlookRow]


@dataclass(frozen=True)
class OutlookResult:
    """The outlook and its headroom samples (n_samples x months), for queue risk."""

    outlook: Outlook
    headroom_paths: np.ndarray
    month_starts: list[date]


def month_start(day: date | datetime) -> date:
    """First day of the month of `day`."""
    return date(day.year, day.month, 1)


def add_months(day: date, n: int) -> date:
    """First day of the month `n` months after `day`'s month."""
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def monthly(frame: pl.DataFrame, region: str, before: date, how: str, complete_share: float) -> pl.DataFrame:
    """Complete months before `before`: `month, value` as the monthly max or mean of hourly values."""
    rows = frame.filter(pl.col(S.REGION) == region).with_columns(
        pl.col(S.TS).dt.date().dt.truncate("1mo").alias("month")
    )
    agg = pl.col(S.VALUE).max() if how == "max" else pl.col(S.VALUE).mean()
    hours = (pl.col("month").dt.offset_by("1mo") - pl.col("month")).dt.total_hours()
    return (
        rows.filter(pl.col("month") < before)
        .group_by("month")
        .agg(agg.alias(S.VALUE), pl.len().alias("n"))
        .filter(pl.col("n") >= complete_share * hours)
        .select("month", S.VALUE)
        .sort("month")
    )


def _season(months: np.ndarray) -> np.ndarray:
    angle = 2 * np.pi * (months - 1) / 12.0
    return np.column_stack([np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle)])


def peak_samples(
    peaks: pl.DataFrame, future: list[date], params: OutlookParams, rng: np.random.Generator
) -> np.ndarray:
    """Samples (n, months) of monthly peak load: log-linear trend plus two annual harmonics."""
    return peak_model(peaks, future, params, rng)[0]


def peak_model(
    peaks: pl.DataFrame, future: list[date], params: OutlookParams, rng: np.random.Generator
) -> tuple[np.ndarray, PeakGrowth]:
    """peak_samples and what its trend was: fitted, bound, and the share of samples clipped."""
    origin = peaks["month"][0]
    years = np.array([(m - origin).days / 365.25 for m in peaks["month"]])
    x = np.column_stack([np.ones_like(years), years, _season(np.array([m.month for m in peaks["month"]]))])
    y = np.log(np.clip(peaks[S.VALUE].to_numpy(), 1e-6, None))
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    dof = max(len(y) - x.shape[1], 1)
    sigma = float(np.sqrt(resid @ resid / dof))
    slope_se = float(sigma * np.sqrt(np.linalg.pinv(x.T @ x)[1, 1]))
    cap = np.log1p(params.max_peak_growth_per_year)
    raw = beta[1] + slope_se * rng.standard_normal(params.n_samples)
    slopes = np.clip(raw, -cap, cap)
    growth = PeakGrowth(
        fitted_per_year=round(float(np.expm1(beta[1])), 4),
        standard_error_per_year=round(slope_se, 4),
        bound_per_year=params.max_peak_growth_per_year,
        share_of_samples_at_bound=round(float((np.abs(raw) > cap).mean()), 4),
        months_fitted=len(y),
    )
    f_years = np.array([(m - origin).days / 365.25 for m in future])
    fixed = np.column_stack([np.ones_like(f_years), _season(np.array([m.month for m in future]))])
    base = fixed @ np.concatenate([[beta[0]], beta[2:]])
    noise = sigma * rng.standard_normal((params.n_samples, len(future)))
    return np.exp(base[None, :] + slopes[:, None] * f_years[None, :] + noise), growth


def capacity_path(
    capacity: pl.DataFrame, region: str, future: list[date], additions: pl.DataFrame | None
) -> np.ndarray:
    """Capacity in effect at each month's start: stored values (planned future ones included),
    carried forward, plus the cumulative sum of `additions` (`region, ts, value`; negative values
    are retirements) dated on or before it."""
    own = capacity.filter(pl.col(S.REGION) == region).sort(S.TS)
    if own.height == 0:
        raise MissingSeriesError(region, "capacity")
    ts = own[S.TS].dt.date().to_numpy()
    values = own[S.VALUE].to_numpy()
    idx = np.searchsorted(ts, np.array(future, dtype="datetime64[D]"), side="left") - 1
    out = values[np.clip(idx, 0, None)].astype(float)
    if additions is not None and additions.height:
        add = additions.filter(pl.col(S.REGION) == region)
        add_ts = add[S.TS].dt.date().to_numpy()
        for day, mw in zip(add_ts, add[S.VALUE].to_numpy(), strict=True):
            out += np.where(np.array(future, dtype="datetime64[D]") >= day, mw, 0.0)
    return out


def monthly_outlook(
    grid_load: pl.DataFrame,
    ai_demand: pl.DataFrame,
    capacity: pl.DataFrame,
    region: str,
    as_of: date | datetime,
    months: int = 60,
    scenario: str = "base",
    params: OutlookParams | None = None,
    additions: pl.DataFrame | None = None,
) -> OutlookResult:
    """The outlook of one region for `months` months from the as-of month (long hourly frames in)."""
    params = params or OutlookParams()
    for name, frame in (("grid_load", grid_load), ("ai_demand", ai_demand), ("capacity", capacity)):
        S.require_columns(frame, (S.REGION, S.TS, S.VALUE), f"monthly_outlook({name})")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInputError(f"months must be between 1 and {MAX_MONTHS}, got {months}")
    chosen = get_scenario(scenario)
    start = month_start(as_of)
    future = [add_months(start, k) for k in range(months)]
    peaks = monthly(grid_load, region, start, "max", params.complete_share)
    if peaks.height < params.min_months:
        raise InsufficientHistoryError(region, peaks.height, params.min_months)
    rng = np.random.default_rng(params.seed)
    load, peak_growth = peak_model(peaks, future, params, rng)
    ai_hist = monthly(ai_demand, region, start, "mean", params.complete_share)
    growth = AIDemandGrowth(params.growth).fit(ai_hist[S.VALUE].to_numpy())
    gap = (
        (start.year - ai_hist["month"][-1].year) * 12 + start.month - ai_hist["month"][-1].month
        if ai_hist.height
        else 1
    )
    base_path = growth.predict(gap - 1 + months)[gap - 1 :]
    years = np.arange(months) / 12.0
    by_scenario = {name: apply_scenario(base_path, growth.level, years, s) for name, s in SCENARIOS.items()}
    ai_sd = params.ai_uncertainty_per_sqrt_year * np.sqrt(years + 1.0 / 12.0)
    ai = by_scenario[chosen.name][None, :] * np.exp(
        rng.standard_normal((params.n_samples, 1)) * ai_sd[None, :]
    )
    cap = capacity_path(capacity, region, future, additions)
    headroom = cap[None, :] - load - ai
    q = np.quantile(headroom, [0.1, 0.5, 0.9], axis=0)
    p50, p90 = np.quantile(load, [0.5, 0.9], axis=0)
    rows = [
        OutlookRow(
            month=m,
            grid_load_peak_p50=round(float(p50[k]), 1),
            grid_load_peak_p90=round(float(p90[k]), 1),
            capacity=round(float(cap[k]), 1),
            ai_demand={name: round(float(path[k]), 1) for name, path in by_scenario.items()},
            headroom={
                "p10": round(float(q[0, k]), 1),
                "p50": round(float(q[1, k]), 1),
                "p90": round(float(q[2, k]), 1),
            },
        )
        for k, m in enumerate(future)
    ]
    data_as_of = as_of.date() if isinstance(as_of, datetime) else as_of
    outlook = Outlook(
        region=region,
        scenario=chosen.name,
        months=months,
        data_as_of=data_as_of,
        model_version=f"{MODEL_VERSION}+{growth.method}",
        ai_growth_method=growth.method,
        peak_growth=peak_growth,
        rows=rows,
    )
    return OutlookResult(outlook, headroom, future)
