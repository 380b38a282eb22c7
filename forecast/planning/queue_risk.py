"""Queue risk of a new request: wait distribution, headroom shortfall, and p_energized_by_target.

A request is energized by the target date when it has left the queue into service (withdrawal
competing) by some month m <= target AND, in some month between m and the target, headroom at
the monthly peak is at least the requested MW:

    p = sum_m dCIF_service(m) * P(max headroom over [m, target] >= MW)

Queue and headroom are taken as independent. The sum only gains terms as the target moves later,
and every factor shrinks as MW grows (the Cox sign rule in cox.CoxParams), so p never decreases
with the target date and never increases with MW.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from forecast.errors import InvalidInputError
from forecast.planning.cox import LOG_MW, QueueCox
from forecast.planning.outlook import OutlookResult, add_months, month_start
from forecast.planning.survival import DAYS_PER_YEAR, IN_SERVICE, curve_quantile

MODEL_VERSION = "queue-risk-1.0+cs-cox"


@dataclass(frozen=True)
class RiskParams:
    """Assumptions of the queue-risk combination."""

    kind: str = field(
        default="load", metadata={"description": "Kind of the new request (AI compute is load)."}
    )
    high_below: float = field(default=0.4, metadata={"description": "p_energized below this: risk high."})
    medium_below: float = field(
        default=0.7, metadata={"description": "p_energized below this: medium, else low."}
    )


class WaitDays(BaseModel):
    """Wait from request to service if the request stays in the queue, days; null beyond the data."""

    p10: float | None
    p50: float | None
    p90: float | None


class QueueRisk(BaseModel):
    """The `POST /v1/queue-risk` body."""

    p_energized_by_target: float = Field(
        description="Probability of being in service with headroom by the target."
    )
    wait_days: WaitDays
    headroom_shortfall_probability: float = Field(description="P(headroom at the target month's peak < MW).")
    risk: Literal["low", "medium", "high"]
    drivers: list[str] = Field(description="What drives the result, in plain words.")
    model_version: str
    data_as_of: date


def _years(days: float | None) -> str:
    return "beyond the records" if days is None else f"{days / DAYS_PER_YEAR:.1f} years"


def energized_probability(
    cif_service: np.ndarray, as_of: date, target: date, headroom_ok: np.ndarray
) -> float:
    """sum over months of dCIF_service(month) * P(headroom ok in some month from it to the target).

    `cif_service[d - 1]` is the incidence d days after as_of; `headroom_ok` is (samples, months)
    of booleans starting at the as-of month (the last month repeats beyond its end).
    """
    horizon = (target - as_of).days
    if horizon <= 0:
        return 0.0
    start = month_start(as_of)
    n_months = (target.year - start.year) * 12 + target.month - start.month + 1
    ends = np.array([min((add_months(start, k + 1) - as_of).days, horizon) for k in range(n_months)])
    cif = np.where(ends > 0, cif_service[np.clip(ends, 1, None) - 1], 0.0)
    step = np.diff(cif, prepend=0.0)
    cols = np.minimum(np.arange(n_months), headroom_ok.shape[1] - 1)
    ok = headroom_ok[:, cols]
    ok_from = np.flip(np.maximum.accumulate(np.flip(ok, axis=1), axis=1), axis=1)
    return float(np.clip((step * ok_from.mean(axis=0)).sum(), 0.0, 1.0))


def queue_risk(
    cox: QueueCox,
    region: str,
    mw: float,
    target: date,
    headroom: OutlookResult,
    params: RiskParams | None = None,
    scenario: str = "base",
) -> QueueRisk:
    """Risk of a request of `mw` MW made at the model's as-of date, for service by `target`."""
    params = params or RiskParams()
    if mw <= 0:
        raise InvalidInputError(f"mw must be positive, got {mw}")
    as_of = cox.as_of
    request = cox.request_frame(region, mw, params.kind, as_of)
    span = int(max(cox.last_event_day(), (target - as_of).days, 1))
    days = np.arange(1, span + 1, dtype=float)
    curves = {name: values[0] for name, values in cox.curves(request, days).items()}
    wait = WaitDays(
        **{f"p{round(q * 100)}": curve_quantile(days, curves["net_service"], q) for q in (0.1, 0.5, 0.9)}
    )
    paths = headroom.headroom_paths
    month_index = (target.year - as_of.year) * 12 + target.month - as_of.month
    target_col = paths[:, min(max(month_index, 0), paths.shape[1] - 1)]
    shortfall = float((target_col < mw).mean())
    p = energized_probability(curves["cif_service"], as_of, target, paths >= mw)
    risk = "high" if p < params.high_below else "medium" if p < params.medium_below else "low"
    return QueueRisk(
        p_energized_by_target=round(p, 4),
        wait_days=wait,
        headroom_shortfall_probability=round(shortfall, 4),
        risk=risk,
        drivers=_drivers(cox, region, mw, target, curves, days, wait, shortfall, scenario),
        model_version=f"{MODEL_VERSION}+{headroom.outlook.model_version}",
        data_as_of=as_of,
    )


def _drivers(
    cox: QueueCox,
    region: str,
    mw: float,
    target: date,
    curves: dict[str, np.ndarray],
    days: np.ndarray,
    wait: WaitDays,
    shortfall: float,
    scenario: str,
) -> list[str]:
    horizon = (target - cox.as_of).days
    at = min(max(horizon, 1), len(days)) - 1
    drivers = [
        f"Requests like this one in {region} reach service in about {_years(wait.p50)} if they stay "
        f"in the queue (1 in 10 within {_years(wait.p10)}, 9 in 10 within {_years(wait.p90)}); "
        f"the target is {max(horizon, 0) / DAYS_PER_YEAR:.1f} years away.",
        f"By {target.isoformat()}, {curves['cif_withdrawn'][at]:.0%} of comparable requests have "
        f"withdrawn and {curves['cif_service'][at]:.0%} are in service; the rest are still waiting.",
        f"Headroom at the grid peak in {target.strftime('%B %Y')} is below {mw:,.0f} MW with "
        f"probability {shortfall:.0%} ({scenario} AI-demand scenario).",
    ]
    service = cox.models[IN_SERVICE]
    if service["mw_dropped"]:
        drivers.append(
            "In these records larger requests did not connect more slowly, so size does not change the wait."
        )
    elif LOG_MW in service["columns"]:
        slower = 1.0 - 2.0 ** service["params"][service["columns"].index(LOG_MW)]
        drivers.append(
            "Larger requests wait longer here: doubling the MW lowers the monthly chance of "
            f"connecting by {slower:.0%}."
        )
    if not cox.has_kind:
        drivers.append(
            "The queue records hold one kind of request only; a large load is assumed to wait like them."
        )
    return drivers
