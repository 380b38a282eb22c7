"""Queue risk of a new request: wait distribution, headroom shortfall, and p_energized_by_target.

A request is energized by the target date D when it is served there: it has left the queue into
service by D (withdrawal competing) AND headroom at the monthly peak is at least the requested MW
in D's month and in each of the `hold_months` months after it (a data centre runs continuously):

    p_energized = P(connected by D) * P(min headroom over [month(D), month(D) + hold] >= MW)

Queue and headroom are taken as independent, so the second factor is also P(headroom holds |
connected). p never exceeds P(headroom >= MW at D), never increases with MW (both factors shrink,
the Cox sign rule in cox.CoxParams), and rises with D wherever headroom does not fall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from forecast.errors import InvalidInputError
from forecast.planning.cox import LOG_MW, QueueCox
from forecast.planning.flexible import HeadroomAtTarget, firm_headroom
from forecast.planning.outlook import OutlookResult, add_months, month_start
from forecast.planning.provenance import AnswerMeta
from forecast.planning.survival import DAYS_PER_YEAR, IN_SERVICE, curve_quantile

MODEL_VERSION = "queue-risk-1.0+cs-cox"


@dataclass(frozen=True)
class RiskParams:
    """Assumptions of the queue-risk combination."""

    kind: str = field(
        default="load", metadata={"description": "Kind of the new request (AI compute is load)."}
    )
    hold_months: int = field(
        default=12,
        metadata={"description": "Months after the target month through which headroom must hold."},
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


class TargetDateError(InvalidInputError):
    """A target date the answer cannot speak to: before the as-of date or beyond the outlook."""

    def __init__(self, target: date, earliest: date, latest: date, reason: str) -> None:
        self.target, self.earliest, self.latest = target, earliest, latest
        super().__init__(
            f"target_date {target.isoformat()} is {reason}; allowed: after {earliest.isoformat()} "
            f"and on or before {latest.isoformat()}",
            field="target_date",
            allowed={"after": earliest.isoformat(), "on_or_before": latest.isoformat()},
        )


def target_range(as_of: date, month_starts: list[date], hold_months: int) -> tuple[date, date]:
    """(exclusive earliest, inclusive latest) target dates: after as_of, and early enough that the
    target month plus `hold_months` lie inside the simulated months."""
    last = len(month_starts) - 1 - hold_months
    if last < 0:
        return as_of, as_of
    return as_of, max(as_of, add_months(month_starts[last], 1) - timedelta(days=1))


def check_target(target: date, as_of: date, month_starts: list[date], hold_months: int) -> None:
    """Raise TargetDateError for a target in the past (on or before as_of) or beyond the outlook."""
    earliest, latest = target_range(as_of, month_starts, hold_months)
    if target <= earliest:
        reason = f"not after the data's as-of date {as_of.isoformat()}"
        raise TargetDateError(target, earliest, latest, reason)
    if target > latest:
        raise TargetDateError(
            target, earliest, latest,
            f"beyond what the outlook can say ({len(month_starts)} simulated months, "
            f"{hold_months} of them needed after the target)",
        )


class QueueRisk(AnswerMeta):
    """The `POST /v1/queue-risk` body."""

    p_energized_by_target: float = Field(
        description="P(in service by the target AND headroom >= MW in the target month and the "
        "hold_months after it): the chance the load is served at the target date."
    )
    p_connected_by_target: float = Field(description="P(the request has left the queue into service by D).")
    p_headroom_holds_given_connected: float = Field(
        description="P(headroom at the monthly peak >= MW in the target month and the hold_months after)."
    )
    hold_months: int = Field(description="Months after the target month through which headroom must hold.")
    wait_days: WaitDays
    headroom_shortfall_probability: float = Field(description="P(headroom at the target month's peak < MW).")
    risk: Literal["low", "medium", "high"]
    drivers: list[str] = Field(description="What drives the result, in plain words.")
    model_version: str
    data_as_of: date
    headroom_at_target: HeadroomAtTarget | None = Field(
        None, description="Firm headroom at the target month, and flexible beside it when asked."
    )


def _years(days: float | None) -> str:
    return "beyond the records" if days is None else f"{days / DAYS_PER_YEAR:.1f} years"


def connected_probability(cif_service: np.ndarray, as_of: date, target: date) -> float:
    """P(in service by the target): `cif_service[d - 1]` is the incidence d days after as_of."""
    horizon = (target - as_of).days
    if horizon <= 0:
        return 0.0
    return float(np.clip(cif_service[min(horizon, len(cif_service)) - 1], 0.0, 1.0))


def holds_probability(headroom_ok: np.ndarray, month_index: int, hold_months: int) -> float:
    """Share of samples whose headroom is ok in month `month_index` and the `hold_months` after it.

    `headroom_ok` is (samples, months) of booleans from the as-of month; the window must fit.
    """
    end = month_index + hold_months + 1
    if month_index < 0 or end > headroom_ok.shape[1]:
        raise IndexError(f"months {month_index}..{end - 1} are outside the {headroom_ok.shape[1]} simulated")
    return float(headroom_ok[:, month_index:end].all(axis=1).mean())


def month_offset(first: date, day: date) -> int:
    """Months from `first`'s month to `day`'s month."""
    return (day.year - first.year) * 12 + day.month - first.month


def energized_probability(
    cif_service: np.ndarray,
    as_of: date,
    target: date,
    headroom_ok: np.ndarray,
    hold_months: int = 12,
    first_month: date | None = None,
) -> tuple[float, float, float]:
    """(p_energized, p_connected, p_holds) for a target date inside the paths, whose first month
    is `first_month` (default: as_of's month)."""
    p_connected = connected_probability(cif_service, as_of, target)
    month_index = month_offset(first_month or month_start(as_of), target)
    p_holds = holds_probability(headroom_ok, max(month_index, 0), hold_months)
    return p_connected * p_holds, p_connected, p_holds


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
    _, latest = target_range(as_of, headroom.month_starts, params.hold_months)
    if target > latest:
        check_target(target, as_of, headroom.month_starts, params.hold_months)
    first = headroom.month_starts[0]
    month_index = max(month_offset(first, target), 0)
    shortfall = float((paths[:, month_index] < mw).mean())
    p, p_connected, p_holds = energized_probability(
        curves["cif_service"], as_of, target, paths >= mw, params.hold_months, first
    )
    risk = "high" if p < params.high_below else "medium" if p < params.medium_below else "low"
    return QueueRisk(
        p_energized_by_target=round(p, 4),
        p_connected_by_target=round(p_connected, 4),
        p_headroom_holds_given_connected=round(p_holds, 4),
        hold_months=params.hold_months,
        wait_days=wait,
        headroom_shortfall_probability=round(shortfall, 4),
        risk=risk,
        drivers=_drivers(cox, region, mw, target, curves, days, wait, shortfall, scenario, p_holds, params),
        model_version=f"{MODEL_VERSION}+{headroom.outlook.model_version}",
        data_as_of=as_of,
        headroom_at_target=HeadroomAtTarget(
            firm=firm_headroom(paths, month_index, headroom.month_starts[month_index], p_holds, p_connected)
        ),
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
    p_holds: float,
    params: RiskParams,
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
        f"probability {shortfall:.0%} ({scenario} AI-demand scenario); it stays at or above it "
        f"from then through the next {params.hold_months} months with probability {p_holds:.0%}.",
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
