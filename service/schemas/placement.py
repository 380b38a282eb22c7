"""Schemas of `POST /v1/placement`: a flexible job's question, and plans ranked from joint paths."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class PlacementIn(BaseModel):
    """A flexible training job: MW for some running hours, within a window, in some regions."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"mw": 300, "hours": 12},
                {"mw": 3000, "hours": 24, "earliest": "2026-06-16T00:00:00Z",
                 "deadline": "2026-06-20T00:00:00Z", "regions": ["nordics", "us-wtx"], "split": True},
                {"mw": 3000, "hours": 24, "interruptible": True},
            ]
        },
    )

    mw: float = Field(description="Constant power the job draws while running, MW (> 0).")
    hours: int = Field(description="Running hours the job needs (> 0).")
    earliest: AwareDatetime | None = Field(
        None, description="Earliest start, ISO 8601 with offset (UTC). Default: the next whole hour."
    )
    deadline: AwareDatetime | None = Field(
        None, description="Finish by, ISO 8601 with offset. Default: end of the published horizon."
    )
    regions: list[str] | None = Field(
        None, max_length=500, description="Only these regions (default: all with published paths)."
    )
    split: bool = Field(False, description="Also offer plans that divide the MW over regions.")
    max_regions: int = Field(2, description="Most regions one split plan uses (2 is supported).")
    interruptible: bool = Field(
        False, description="The job pauses when headroom < mw and resumes: answers give finish times."
    )
    top: int = Field(10, le=100, description="Most plans returned (1..100).")
    as_of: AwareDatetime | None = Field(
        None, description="Answer as if now were this time (default: the server's clock); for replays."
    )


class PlanOut(BaseModel):
    """Run uninterrupted over [start, end) in one region, or split over `regions` (MW per region)."""

    region: str | None = Field(None, examples=["nordics"], description="Set for a single-region plan.")
    regions: dict[str, float] | None = Field(
        None, examples=[None], description="Set for a split plan: MW per region (sums to the job's MW)."
    )
    start: datetime = Field(examples=["2026-06-17T12:00:00Z"])
    end: datetime = Field(examples=["2026-06-18T12:00:00Z"])
    p_uninterrupted: float = Field(
        examples=[0.97], description="Share of joint paths in which the job has headroom every hour."
    )
    expected_curtailed_mwh: float = Field(examples=[12.5], description="Mean MWh lost to short headroom.")
    reason: str = Field(examples=[
        "3000 MW in nordics from 2026-06-17 12:00 UTC to 2026-06-18 12:00 UTC runs uninterrupted in "
        "194 of 200 paths (97%); expected 12.5 MWh curtailed."
    ])


class InterruptiblePlanOut(BaseModel):
    """A pausable job released at `start` in `region`: when it finishes, over the paths."""

    region: str = Field(examples=["nordics"])
    start: datetime = Field(examples=["2026-06-15T13:00:00Z"])
    deadline: datetime = Field(examples=["2026-06-22T13:00:00Z"])
    p_finish_by_deadline: float = Field(examples=[1.0])
    expected_finish: datetime | None = Field(examples=["2026-06-16T14:06:00Z"])
    p90_finish: datetime | None = Field(examples=["2026-06-16T15:00:00Z"])
    reason: str = Field(examples=["3000 MW for 24 running hours in nordics, released ..."])


class PlacementOut(BaseModel):
    """Plans best first, the window searched, and the issue and model the probabilities came from."""

    issued_at: datetime = Field(examples=["2026-06-15T12:30:00Z"])
    model_version: str = Field(examples=["seasonal_naive-d0-20260615T123000Z"])
    mw: float = Field(examples=[3000.0])
    hours: int = Field(examples=[24])
    window_start: datetime = Field(examples=["2026-06-15T13:00:00Z"])
    window_end: datetime = Field(examples=["2026-06-22T13:00:00Z"])
    n_samples: int = Field(examples=[200], description="Joint paths the probabilities are counted over.")
    plans: list[PlanOut] | list[InterruptiblePlanOut]
    notes: list[str] = Field(examples=[[]])
