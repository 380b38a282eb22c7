"""Cause-specific Cox models of queue waits (statsmodels PHReg): service, with withdrawal competing.

Two proportional-hazards models share one design (log MW, request year, kind), stratified by
region: one for the hazard of reaching service (withdrawals censored) and one for the hazard of
withdrawing (services censored). Region is a stratum, with its own baseline hazard, rather than
a proportional factor: regions' waits differ in shape, not only in scale, and on data where
regions' waits do not overlap a region coefficient diverges (quasi-separation).
Together they give, for a new request, the cumulative incidence of service
with withdrawal as a competing outcome (Aalen-Johansen form) and the wait it would face if it
stayed in the queue (the cause-specific, "net" distribution).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Self

import numpy as np
import polars as pl
from statsmodels.duration.hazard_regression import PHReg

from forecast import schema as S
from forecast.models.base import NotFittedError
from forecast.planning.survival import (
    DAYS_PER_YEAR,
    IN_SERVICE,
    SURVIVAL_COLUMNS,
    WITHDRAWN,
    NoQueueDataError,
    step_at,
)

LOG_MW, YEAR, KIND_LOAD = "log_mw", "request_year", "kind_load"


@dataclass(frozen=True)
class CoxParams:
    """How the queue Cox models are fitted."""

    ties: str = field(default="efron", metadata={"description": "Tie handling of PHReg (efron or breslow)."})
    monotone_mw: bool = field(
        default=True,
        metadata={
            "description": "Never let a larger request connect sooner or withdraw less: a log-MW "
            "coefficient of the wrong sign is dropped and the model refitted. Keeps "
            "p_energized_by_target non-increasing in MW."
        },
    )


def fractional_year(column: str) -> pl.Expr:
    """A date column as a fractional calendar year."""
    return pl.col(column).dt.year() + (pl.col(column).dt.ordinal_day() - 1) / DAYS_PER_YEAR


def breslow(time: np.ndarray, event: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Breslow baseline cumulative hazard at the distinct event times (at zero covariates).

    Computed here because statsmodels 0.15's `baseline_cumulative_hazard` lags one event time.
    """
    order = np.argsort(time)
    t_sorted, risk = time[order], np.exp(eta[order])
    at_risk = np.cumsum(risk[::-1])[::-1]  # sum of exp(eta) over time >= t_sorted[i]
    event_times, deaths = np.unique(time[event], return_counts=True)
    first = np.searchsorted(t_sorted, event_times, side="left")
    return event_times, np.cumsum(deaths / at_risk[first])


class QueueCox:
    """Fit on a survival frame (survival.survival_frame); predict incidence curves for new requests."""

    name = "queue-cox"

    def __init__(self, params: CoxParams | None = None) -> None:
        self.params = params or CoxParams()
        self._fitted = False

    @property
    def is_fitted(self) -> bool:
        """True once fit() has run."""
        return self._fitted

    def fit(self, frame: pl.DataFrame, as_of: date) -> Self:
        """Fit both cause-specific models on all requests made by `as_of`."""
        S.require_columns(frame, SURVIVAL_COLUMNS, "QueueCox.fit")
        if frame.height == 0:
            raise NoQueueDataError(None, as_of)
        self.as_of = as_of
        self.regions = sorted(frame[S.REGION].unique().to_list())
        years = frame.select(fractional_year("requested_on")).to_series()
        self.year_center = float(years.mean())
        self.has_kind = frame["kind"].n_unique() > 1
        time = frame["duration_days"].to_numpy()
        outcome = frame["outcome"].to_numpy()
        strata = frame[S.REGION].to_numpy()
        self.models = {}
        for cause, wrong_sign in ((IN_SERVICE, 1.0), (WITHDRAWN, -1.0)):
            columns = self._columns(include_mw=True)
            params = self._fit_one(frame, columns, time, outcome == cause, strata)
            mw_coef = params[columns.index(LOG_MW)]
            clipped = self.params.monotone_mw and np.sign(mw_coef) == wrong_sign
            if clipped:
                columns = self._columns(include_mw=False)
                params = self._fit_one(frame, columns, time, outcome == cause, strata)
            eta = self._design(frame, columns) @ params if columns else np.zeros(frame.height)
            baselines = {}
            for region in self.regions:
                own = strata == region
                baselines[region] = breslow(time[own], (outcome == cause)[own], eta[own])
            self.models[cause] = {
                "columns": columns,
                "params": params,
                "baselines": baselines,
                "mw_dropped": bool(clipped),
                "mw_fitted": float(mw_coef),
            }
        self._fitted = True
        return self

    def _columns(self, include_mw: bool) -> list[str]:
        columns = [LOG_MW] if include_mw else []
        columns.append(YEAR)
        return [*columns, KIND_LOAD] if self.has_kind else columns

    def _design(self, frame: pl.DataFrame, columns: list[str]) -> np.ndarray:
        exprs = {
            LOG_MW: pl.col("mw").clip(lower_bound=0.1).log(),
            YEAR: fractional_year("requested_on") - self.year_center,
            KIND_LOAD: (pl.col("kind") == "load").cast(pl.Float64),
        }
        return frame.select([exprs[c].cast(pl.Float64).alias(c) for c in columns]).to_numpy()

    def _fit_one(
        self, frame: pl.DataFrame, columns: list[str], time: np.ndarray, event: np.ndarray, strata: np.ndarray
    ) -> np.ndarray:
        if not event.any():
            return np.zeros(len(columns))
        model = PHReg(
            time, self._design(frame, columns), status=event.astype(int), strata=strata, ties=self.params.ties
        )
        return np.asarray(model.fit(disp=0).params)

    def _check(self) -> None:
        if not self._fitted:
            raise NotFittedError(self.name)

    def linear_predictor(self, frame: pl.DataFrame, cause: int = IN_SERVICE) -> np.ndarray:
        """Log relative hazard of `cause` for each request of a frame (higher: sooner)."""
        self._check()
        model = self.models[cause]
        return self._design(frame, model["columns"]) @ model["params"]

    def coefficients(self) -> dict[str, dict[str, float]]:
        """Fitted coefficients per cause (log hazard ratios), by covariate name."""
        self._check()
        return {
            name: dict(
                zip(self.models[cause]["columns"], map(float, self.models[cause]["params"]), strict=True)
            )
            for name, cause in (("in_service", IN_SERVICE), ("withdrawn", WITHDRAWN))
        }

    def request_frame(self, region: str, mw: float, kind: str, requested_on: date) -> pl.DataFrame:
        """A one-row frame describing a new request."""
        self._check()
        if region not in self.regions:
            raise NoQueueDataError(region, self.as_of)
        return pl.DataFrame(
            {S.REGION: [region], "kind": [kind], "mw": [float(mw)], "requested_on": [requested_on]},
            schema={S.REGION: pl.String, "kind": pl.String, "mw": pl.Float64, "requested_on": pl.Date},
        )

    def curves(self, requests: pl.DataFrame, days: np.ndarray) -> dict[str, np.ndarray]:
        """For each request (rows) and each day since it was made (columns, a fine grid such as
        1..N): incidence of service and of withdrawal (competing), the net distribution of the
        wait, and the probability of still waiting. Arrays are (requests, days)."""
        self._check()
        days = np.asarray(days, dtype=float)
        hazards = {}
        unknown = set(requests[S.REGION].unique().to_list()) - set(self.regions)
        if unknown:
            raise NoQueueDataError(sorted(unknown)[0], self.as_of)
        for cause, model in self.models.items():
            eta = self._design(requests, model["columns"]) @ model["params"]
            bases = {r: step_at(*model["baselines"][r], days, start=0.0) for r in self.regions}
            base = np.vstack([bases[r] for r in requests[S.REGION].to_list()])
            hazards[cause] = np.exp(eta)[:, None] * base
        steps = {c: np.diff(h, axis=1, prepend=0.0) for c, h in hazards.items()}
        both = steps[IN_SERVICE] + steps[WITHDRAWN]
        waiting = np.exp(-(hazards[IN_SERVICE] + hazards[WITHDRAWN]))
        before = np.concatenate([np.ones((waiting.shape[0], 1)), waiting[:, :-1]], axis=1)
        # Aalen-Johansen on the grid: leave the queue in a step with prob 1 - exp(-dH), split by cause.
        leave = before * (1.0 - np.exp(-both))
        share = np.divide(steps[IN_SERVICE], both, out=np.zeros_like(both), where=both > 0)
        return {
            "cif_service": np.cumsum(leave * share, axis=1),
            "cif_withdrawn": np.cumsum(leave * (1.0 - share), axis=1),
            "net_service": 1.0 - np.exp(-hazards[IN_SERVICE]),
            "waiting": waiting,
        }

    def last_event_day(self, cause: int = IN_SERVICE) -> float:
        """The longest wait at which the data saw `cause` happen (the curves are flat after it)."""
        self._check()
        return max(
            (float(t.max(initial=0.0)) for t, _ in self.models[cause]["baselines"].values()), default=0.0
        )

    def risk_score(self, requests: pl.DataFrame) -> np.ndarray:
        """Minus the restricted mean net wait (days, up to the longest wait seen to end in service):
        higher means sooner, and it is comparable across regions with different baselines."""
        grid = np.arange(1, int(self.last_event_day()) + 2, dtype=float)
        return -(1.0 - self.curves(requests, grid)["net_service"]).sum(axis=1)

    def incidence_at(self, requests: pl.DataFrame, days: np.ndarray) -> np.ndarray:
        """Cumulative incidence of service (withdrawal competing) at `days`, on a daily grid."""
        grid = np.arange(1, int(np.max(days)) + 1, dtype=float)
        cif = self.curves(requests, grid)["cif_service"]
        return cif[:, np.clip(np.asarray(days, dtype=int), 1, None) - 1]


def concordance(time: np.ndarray, event: np.ndarray, score: np.ndarray) -> float:
    """Harrell's C: among usable pairs (the earlier one reached service), the share where the
    earlier request has the higher score; ties in score count one half."""
    earlier = event[:, None] & (time[:, None] < time[None, :])
    diff = score[:, None] - score[None, :]
    usable = earlier.sum()
    if usable == 0:
        return float("nan")
    return float(((diff > 0) & earlier).sum() + 0.5 * ((diff == 0) & earlier).sum()) / float(usable)
