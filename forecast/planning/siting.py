"""Siting: regions ranked by p_energized_by_target, with rack-density flags and reasons in words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from forecast.catalog import Region
from forecast.errors import InvalidInputError, UserError
from forecast.planning.flexible import RANK_BY, HeadroomAtTarget
from forecast.planning.provenance import AnswerMeta, GridScale, Provenance
from forecast.planning.queue_risk import QueueRisk, WaitDays
from forecast.planning.survival import DAYS_PER_YEAR


class NoRegionAssessedError(UserError, ValueError):
    """No candidate region had the data a siting ranking needs."""

    def __init__(self) -> None:
        super().__init__("no region could be assessed: load grid, capacity and queue data first")


class RankByError(InvalidInputError):
    """A ranking the request cannot give: unknown, or flexible without `flexible: true`."""

    def __init__(self, rank_by: str, reason: str) -> None:
        self.field, self.rank_by = "rank_by", rank_by
        super().__init__(f"rank_by {rank_by!r}: {reason}")


def check_rank_by(rank_by: str, flexible: object | None) -> None:
    """Raise RankByError unless `rank_by` is firm, or flexible with a flexible request."""
    if rank_by not in RANK_BY:
        raise RankByError(rank_by, f"choose one of {', '.join(RANK_BY)}")
    if rank_by == "flexible" and flexible is None:
        raise RankByError(rank_by, "ranking by flexible headroom needs flexible: true (--flexible)")


def ranked_p(risk: QueueRisk, rank_by: str) -> float:
    """The probability a region is ranked by: firm p_energized, or the flexible one."""
    at = risk.headroom_at_target
    if rank_by == "flexible" and at is not None and at.flexible is not None:
        return at.flexible.p_energized
    return risk.p_energized_by_target


class SitingEntry(BaseModel):
    """One region's place in the ranking."""

    rank: int
    region: str
    name: str
    p_energized_by_target: float
    p_connected_by_target: float
    p_headroom_holds_given_connected: float
    risk: Literal["low", "medium", "high"]
    wait_days: WaitDays
    headroom_shortfall_probability: float
    rack_kw_max: float = Field(description="Highest rack density the region supports, kW (catalog).")
    rack_density_exceeded: bool = Field(description="True when the requested rack kW is above rack_kw_max.")
    reasons: list[str]
    provenance: list[Provenance] = Field(default_factory=list, description="This region's inputs.")
    grid: GridScale | None = Field(None, description="Which grid the figures describe, and its size.")
    warnings: list[str] = Field(default_factory=list, description="What to know about this region's answer.")
    headroom_at_target: HeadroomAtTarget | None = Field(
        None, description="Firm headroom at the target month, and flexible beside it when asked."
    )


class Siting(AnswerMeta):
    """The `POST /v1/siting` body."""

    mw: float
    target_date: date
    rack_kw: float | None
    data_as_of: date
    model_version: str
    rank_by: str = Field("firm", description="firm or flexible: which p_energized the ranking sorts by.")
    ranking: list[SitingEntry]
    skipped: list[str] = Field(default_factory=list, description="Regions not assessed, with the reason.")


def _reasons(region: Region, risk: QueueRisk, rank: int, target: date, rack_kw: float | None) -> list[str]:
    lo, hi = region.queue_years
    p50 = risk.wait_days.p50
    model_wait = "more than the records cover" if p50 is None else f"about {p50 / DAYS_PER_YEAR:.1f} years"
    reasons = [
        f"#{rank}: {risk.p_energized_by_target:.0%} chance of being in service by {target.isoformat()} "
        f"with enough headroom then and for the {risk.hold_months} months after ({risk.risk} risk): "
        f"{risk.p_connected_by_target:.0%} connected x {risk.p_headroom_holds_given_connected:.0%} "
        "headroom holds.",
        f"Planners quote {lo:g}-{hi:g} years of grid queue here; the queue records give {model_wait} "
        "for a request that stays in the queue.",
    ]
    reasons.extend(risk.drivers[1:3])
    flex = risk.headroom_at_target.flexible if risk.headroom_at_target else None
    if flex is not None:
        reasons.append(
            f"Accepting {flex.curtailment_pct:g} % curtailment: flexible headroom in {flex.year} is "
            f"{flex.headroom_mw.p50:,.0f} MW (P50, {flex.basis}); {flex.p_energized:.0%} chance of "
            f"being served as a flexible load ({risk.p_energized_by_target:.0%} firm)."
        )
    if rack_kw is not None:
        if rack_kw > region.rack_kw[1]:
            note = f" ({region.rack_note})" if region.rack_note else ""
            reasons.append(
                f"Rack density {rack_kw:g} kW is above the {region.rack_kw[1]:g} kW "
                f"this region supports{note}."
            )
        else:
            reasons.append(f"Rack density {rack_kw:g} kW fits (up to {region.rack_kw[1]:g} kW here).")
    reasons.append(f"Power mostly from {region.energy_source}.")
    return reasons


def rank_regions(
    risks: Mapping[str, QueueRisk],
    catalog: Mapping[str, Region],
    mw: float,
    target: date,
    rack_kw: float | None = None,
    rank_by: str = "firm",
) -> Siting:
    """Rank regions by p_energized_by_target, or by its flexible counterpart (`rank_by`; ties:
    shorter median wait first); flags do not reorder."""
    if not risks:
        raise NoRegionAssessedError()
    order = sorted(
        risks, key=lambda r: (-ranked_p(risks[r], rank_by), risks[r].wait_days.p50 or float("inf"), r)
    )
    ranking = [
        SitingEntry(
            rank=i,
            region=r,
            name=catalog[r].name,
            p_energized_by_target=risks[r].p_energized_by_target,
            p_connected_by_target=risks[r].p_connected_by_target,
            p_headroom_holds_given_connected=risks[r].p_headroom_holds_given_connected,
            risk=risks[r].risk,
            wait_days=risks[r].wait_days,
            headroom_shortfall_probability=risks[r].headroom_shortfall_probability,
            rack_kw_max=catalog[r].rack_kw[1],
            rack_density_exceeded=rack_kw is not None and rack_kw > catalog[r].rack_kw[1],
            reasons=_reasons(catalog[r], risks[r], i, target, rack_kw),
            provenance=risks[r].provenance,
            grid=risks[r].grid,
            warnings=risks[r].warnings,
            headroom_at_target=risks[r].headroom_at_target,
        )
        for i, r in enumerate(order, start=1)
    ]
    first = risks[order[0]]
    return Siting(
        mw=mw,
        target_date=target,
        rack_kw=rack_kw,
        data_as_of=first.data_as_of,
        model_version=first.model_version,
        rank_by=rank_by,
        ranking=ranking,
    )
