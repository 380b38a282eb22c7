"""Waiting times in interconnection queues: censoring, Kaplan-Meier and cumulative incidence.

A request's clock starts on `requested_on`. At the as-of date it has either reached service
(outcome 1), withdrawn (outcome 2, a competing outcome), or is still waiting (censored at as_of).
Outcomes dated after as_of are treated as not yet known, so the same data can be replayed as of
any earlier date for backtests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

from forecast import schema as S
from forecast.errors import UserError

CENSORED, IN_SERVICE, WITHDRAWN = 0, 1, 2
DAYS_PER_YEAR = 365.25
SURVIVAL_COLUMNS = (S.REGION, "request_id", "kind", "mw", "requested_on", "duration_days", "outcome")
REQUEST_COLUMNS = (S.REGION, "request_id", "kind", "mw", "requested_on", "in_service_on", "withdrawn_on")


class NoQueueDataError(UserError, ValueError):
    """No usable queue requests for a region (or at all) as of the given date."""

    def __init__(self, region: str | None, as_of: date) -> None:
        where = f"region {region!r}" if region else "any region"
        super().__init__(
            f"no interconnection-queue requests for {where} made by {as_of}; "
            "load queue data first (headroom demo, or ingest a queue file)"
        )


def survival_frame(requests: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per request made by `as_of`: days waited and outcome (0 censored, 1 service, 2 withdrawn).

    An in-service date wins over a withdrawal date when both are known by as_of (a project that
    connected and later retired still connected). Zero-day waits count as one day.
    """
    S.require_columns(requests, REQUEST_COLUMNS, "survival_frame")
    as_of_lit = pl.lit(as_of, dtype=pl.Date)
    served = pl.col("in_service_on").is_not_null() & (pl.col("in_service_on") <= as_of_lit)
    withdrawn = pl.col("withdrawn_on").is_not_null() & (pl.col("withdrawn_on") <= as_of_lit)
    end = (
        pl.when(served)
        .then(pl.col("in_service_on"))
        .when(withdrawn)
        .then(pl.col("withdrawn_on"))
        .otherwise(as_of_lit)
    )
    outcome = pl.when(served).then(IN_SERVICE).when(withdrawn).then(WITHDRAWN).otherwise(CENSORED)
    return (
        requests.filter(pl.col("requested_on").is_not_null() & (pl.col("requested_on") <= as_of_lit))
        .with_columns(
            ((end - pl.col("requested_on")).dt.total_days().clip(lower_bound=1))
            .cast(pl.Float64)
            .alias("duration_days"),
            outcome.cast(pl.Int8).alias("outcome"),
        )
        .select(SURVIVAL_COLUMNS)
        .sort(S.REGION, "request_id")
    )


def curve_quantile(times: np.ndarray, cdf: np.ndarray, q: float) -> float | None:
    """Smallest time at which a non-decreasing CDF reaches `q`; None when it never does."""
    reached = np.nonzero(cdf >= q - 1e-12)[0]
    return float(times[reached[0]]) if reached.size else None


def step_at(
    times: np.ndarray, values: np.ndarray, at: np.ndarray | Sequence[float], start: float
) -> np.ndarray:
    """A right-continuous step function (value `start` before the first time) evaluated at `at`."""
    idx = np.searchsorted(times, np.asarray(at, dtype=float), side="right") - 1
    return np.where(idx >= 0, values[np.clip(idx, 0, None)], start)


def kaplan_meier(frame: pl.DataFrame) -> SurvfuncRight:
    """Kaplan-Meier of time to service; withdrawn and waiting requests are censored."""
    return SurvfuncRight(
        frame["duration_days"].to_numpy(), (frame["outcome"] == IN_SERVICE).to_numpy().astype(int)
    )


def km_summary(frame: pl.DataFrame, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> pl.DataFrame:
    """Per region: counts by outcome and Kaplan-Meier quantiles of the wait in days (null if unreached)."""
    rows = []
    for (region,), part in frame.group_by(S.REGION, maintain_order=True):
        km = kaplan_meier(part)
        cdf = 1.0 - km.surv_prob
        row = {
            S.REGION: region,
            "requests": part.height,
            "in_service": int((part["outcome"] == IN_SERVICE).sum()),
            "withdrawn": int((part["outcome"] == WITHDRAWN).sum()),
            "waiting": int((part["outcome"] == CENSORED).sum()),
        }
        for q in quantiles:
            row[f"km_p{round(q * 100)}_days"] = curve_quantile(km.surv_times, cdf, q)
        rows.append(row)
    return pl.DataFrame(rows).sort(S.REGION)


def km_probability(frame: pl.DataFrame, days: Sequence[float]) -> np.ndarray:
    """1 - KM survival at each of `days`: the naive probability of service, withdrawals censored."""
    km = kaplan_meier(frame)
    return 1.0 - step_at(km.surv_times, km.surv_prob, days, start=1.0)


def cumulative_incidence(frame: pl.DataFrame, days: Sequence[float]) -> dict[str, np.ndarray]:
    """Aalen-Johansen cumulative incidence of service and of withdrawal at each of `days`."""
    outcome = frame["outcome"].to_numpy().astype(int)
    if not (outcome == IN_SERVICE).any() or not (outcome == WITHDRAWN).any():
        # CumIncidenceRight needs both causes present; with one cause KM is the same estimator.
        only = IN_SERVICE if (outcome == IN_SERVICE).any() else WITHDRAWN
        km = SurvfuncRight(frame["duration_days"].to_numpy(), (outcome == only).astype(int))
        value = 1.0 - step_at(km.surv_times, km.surv_prob, days, start=1.0)
        zero = np.zeros(len(days))
        return {
            "in_service": value if only == IN_SERVICE else zero,
            "withdrawn": value if only == WITHDRAWN else zero,
        }
    with np.errstate(divide="ignore", invalid="ignore"):  # only the standard errors divide by zero
        ci = CumIncidenceRight(frame["duration_days"].to_numpy(), outcome)
    return {
        "in_service": step_at(ci.times, ci.cinc[0], days, start=0.0),
        "withdrawn": step_at(ci.times, ci.cinc[1], days, start=0.0),
    }


def completed_median_days(frame: pl.DataFrame) -> float | None:
    """Median wait among requests that reached service: the figure usually quoted."""
    served = frame.filter(pl.col("outcome") == IN_SERVICE)["duration_days"]
    return float(served.median()) if served.len() else None
