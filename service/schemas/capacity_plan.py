"""Schemas of a region's capacity plan: planned additions and retirements of firm capacity."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class PlannedChangeIn(BaseModel):
    """One planned change: MW > 0 adds firm capacity, MW < 0 retires it, from a date on."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"mw": 500, "from_date": "2027-01-01", "note": "Unit 3 (gas)"}]},
    )

    mw: float = Field(
        ge=-100_000, le=100_000, description="Change of firm capacity in MW, non-zero; negative retires."
    )
    from_date: date = Field(description="Effective date, YYYY-MM-DD (months from it on).")
    note: str | None = Field(None, max_length=500, description="Free text: project, source of the figure.")


class PlannedChangeOut(BaseModel):
    """One recorded planned change."""

    id: str = Field(examples=["3f9a1c0d2b7e"])
    region: str = Field(examples=["us-nova"])
    mw: float = Field(examples=[500.0])
    from_date: date = Field(examples=["2027-01-01"])
    note: str | None = Field(examples=["Unit 3 (gas)"])
    added_at: datetime = Field(examples=["2026-11-29T12:00:00Z"])


class CapacityPlanOut(BaseModel):
    """A region's planned capacity changes, as the outlook, queue risk and siting use them."""

    region: str = Field(examples=["us-nova"])
    changes: list[PlannedChangeOut]
    net_mw: float = Field(examples=[300.0], description="Sum of all planned changes, MW.")
    added: PlannedChangeOut | None = Field(None, description="The entry this request recorded (POST).")
