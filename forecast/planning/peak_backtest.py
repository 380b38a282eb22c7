"""Outlook backtest: the monthly peak forecast from origins years apart, scored against what happened.

At each origin the outlook's own peak model (`peak_samples`, the one every outlook serves) is
fitted on the complete months before it and its P10/P50/P90 of each later month's peak are set
beside the month's actual peak. Scored: the P50 error (signed and absolute, % of the actual) and
whether the actual fell inside P10-P90 (nominal 80 %), over the months `min_ahead`..`max_ahead`
after the origin month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from forecast.planning.outlook import OutlookParams, add_months, monthly, peak_samples

ALL = "all"


class NoOriginError(UserError, ValueError):
    """A region whose history is too short to place one origin with months left to score."""

    def __init__(self, region: str, months: int, needed: int) -> None:
        self.region, self.months, self.needed = region, months, needed
        super().__init__(
            f"region {region!r} has {months} complete month(s) of load; the outlook backtest needs "
            f"at least {needed} (history before the first origin plus the months scored after it)"
        )


@dataclass(frozen=True)
class PeakBacktestParams:
    """Where the origins sit and which months after them are scored."""

    min_history_months: int = field(
        default=24, metadata={"description": "Complete months before the first origin."}
    )
    step_months: int = field(default=12, metadata={"description": "Months between origins."})
    min_ahead: int = field(default=12, metadata={"description": "First month scored after the origin month."})
    max_ahead: int = field(default=35, metadata={"description": "Last month scored after the origin month."})
    outlook: OutlookParams = field(default_factory=OutlookParams)


def origins(months: list[date], params: PeakBacktestParams) -> list[date]:
    """Origins (month starts) `step_months` apart: the first after `min_history_months` complete
    months, the last with at least one month `min_ahead` months later still in the data."""
    if len(months) <= params.min_history_months:
        return []
    first, last = months[params.min_history_months], months[-1]
    out, k = [], 0
    while add_months(first, k * params.step_months + params.min_ahead) <= last:
        out.append(add_months(first, k * params.step_months))
        k += 1
    return out


def region_predictions(
    load: pl.DataFrame, region: str, params: PeakBacktestParams | None = None
) -> pl.DataFrame:
    """One row per (origin, scored month): `region, origin, month, ahead, p10, p50, p90, actual`."""
    params = params or PeakBacktestParams()
    peaks = monthly(load, region, date(9999, 1, 1), "max", params.outlook.complete_share)
    months = peaks["month"].to_list()
    starts = origins(months, params)
    if not starts:
        raise NoOriginError(region, len(months), params.min_history_months + params.min_ahead + 1)
    actual = dict(zip(months, peaks[S.VALUE].to_list(), strict=True))
    rows = []
    for origin in starts:
        future = [add_months(origin, k) for k in range(params.max_ahead + 1)]
        rng = np.random.default_rng(params.outlook.seed)
        samples = peak_samples(peaks.filter(pl.col("month") < origin), future, params.outlook, rng)
        q = np.quantile(samples, [0.1, 0.5, 0.9], axis=0)
        for k in range(params.min_ahead, params.max_ahead + 1):
            if future[k] in actual:
                rows.append((region, origin, future[k], k, *(float(v) for v in q[:, k]), actual[future[k]]))
    return pl.DataFrame(
        rows,
        schema=["region", "origin", "month", "ahead", "p10", "p50", "p90", "actual"],
        orient="row",
    )


def ahead_bucket(ahead: pl.Expr, params: PeakBacktestParams) -> pl.Expr:
    """Months ahead in whole-year buckets from `min_ahead`: 12-23 and 24-35 with the defaults."""
    lo = params.min_ahead + (ahead - params.min_ahead) // 12 * 12
    hi = pl.min_horizontal(lo + 11, pl.lit(params.max_ahead))
    return pl.format("{}-{}", lo, hi)


def score(predictions: pl.DataFrame, params: PeakBacktestParams | None = None) -> pl.DataFrame:
    """Per region (and `all` when several) and months-ahead bucket (and every month scored):
    origins, months scored, P50 bias and absolute error (% of actual), P10-P90 coverage, mean band
    width (% of actual)."""
    params = params or PeakBacktestParams()
    err = (pl.col("p50") - pl.col("actual")) / pl.col("actual") * 100
    aggs = [
        pl.col("origin").n_unique().alias("origins"),
        pl.len().alias("months"),
        err.mean().alias("p50_bias_pct"),
        err.abs().mean().alias("p50_abs_error_pct"),
        pl.col("actual").is_between("p10", "p90").mean().alias("coverage_p10_p90"),
        ((pl.col("p90") - pl.col("p10")) / pl.col("actual") * 100).mean().alias("band_width_pct"),
    ]
    every = f"{params.min_ahead}-{params.max_ahead}"
    frames = [predictions]
    if predictions[S.REGION].n_unique() > 1:
        frames.append(predictions.with_columns(pl.lit(ALL).alias(S.REGION)))
    both = pl.concat(frames)
    bucketed = both.with_columns(ahead_bucket(pl.col("ahead"), params).alias("ahead_months"))
    overall = both.with_columns(pl.lit(every).alias("ahead_months"))
    return (
        pl.concat([bucketed, overall])
        .group_by(S.REGION, "ahead_months", maintain_order=True)
        .agg(aggs)
        .sort(pl.col(S.REGION) == ALL, S.REGION, pl.col("ahead_months") == every, "ahead_months")
    )


def outlook_backtest(
    load: pl.DataFrame, regions: list[str] | None = None, params: PeakBacktestParams | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Predictions and scores of the outlook's monthly peak over `regions` (default: all in `load`)."""
    S.require_columns(load, (S.REGION, S.TS, S.VALUE), "outlook_backtest(load)")
    wanted = regions or sorted(load[S.REGION].unique().to_list())
    predictions = pl.concat([region_predictions(load, r, params) for r in wanted])
    return predictions, score(predictions, params)
