"""Schemas of the planning answers: outlook, queue risk, siting."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ScenarioName(StrEnum):
    """AI demand growth scenario."""

    low = "low"
    base = "base"
    high = "high"


class OutlookMonth(BaseModel):
    """One month of the outlook, MW."""

    month: date = Field(examples=["2027-01-01"], description="First day of the month.")
    grid_load_peak_p50: float = Field(examples=[19850.0])
    grid_load_peak_p90: float = Field(examples=[20900.0])
    capacity: float = Field(examples=[23400.0], description="Firm capacity, with known additions.")
    ai_demand: dict[str, float] = Field(examples=[{"low": 900.0, "base": 1100.0, "high": 1450.0}])
    headroom: dict[str, float] = Field(
        examples=[{"p10": 600.0, "p50": 1400.0, "p90": 2100.0}], description="Headroom at the month's peak."
    )


class OutlookOut(BaseModel):
    """A region's monthly outlook of peak load, capacity, AI demand and headroom."""

    region: str = Field(examples=["us-nova"])
    scenario: ScenarioName = Field(examples=["base"])
    months: int = Field(examples=[60])
    data_as_of: date = Field(examples=["2026-11-29"])
    model_version: str = Field(examples=["outlook-1.0"])
    ai_growth_method: str = Field(examples=["logistic"])
    rows: list[OutlookMonth]


class QueueRiskIn(BaseModel):
    """A new connection request: how many MW, where, and by when."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"region": "us-nova", "mw": 200, "target_date": "2028-06-01"}]}
    )

    region: str = Field(description="Region id of the catalog.")
    mw: float = Field(gt=0, le=10000, description="Requested load in MW, at most 10 000.")
    target_date: date = Field(description="Date by which the load must be energized.")
    as_of: date | None = Field(None, description="Evaluate as of this date (default: the data's as-of).")


class WaitDaysOut(BaseModel):
    """Wait from request to service, days (null beyond what the data shows)."""

    p10: float | None = Field(examples=[700.0])
    p50: float | None = Field(examples=[1290.0])
    p90: float | None = Field(examples=[1900.0])


class QueueRiskOut(BaseModel):
    """How likely a request is to be connected, with headroom, by its target date."""

    p_energized_by_target: float = Field(examples=[0.31])
    wait_days: WaitDaysOut
    headroom_shortfall_probability: float = Field(examples=[0.22])
    risk: Literal["low", "medium", "high"] = Field(examples=["high"])
    drivers: list[str] = Field(examples=[["median wait is 3.5 years, longer than the 1.5 years to target"]])
    model_version: str = Field(examples=["queue-risk-1.0+cs-cox"])
    data_as_of: date = Field(examples=["2026-11-29"])


class SitingIn(BaseModel):
    """What a planner needs: MW by a date, optionally at a rack density and among some regions."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"mw": 200, "target_date": "2028-06-01", "rack_kw": 80}]}
    )

    mw: float = Field(gt=0, le=10000, description="Load in MW, at most 10 000.")
    target_date: date = Field(description="Date by which the load must be energized.")
    rack_kw: float | None = Field(None, gt=0, le=500, description="Planned rack density, kW per rack.")
    regions: list[str] | None = Field(None, max_length=200, description="Only these regions (default all).")


class SitingChoice(BaseModel):
    """One region of the ranking, with the reasons for its place."""

    rank: int = Field(examples=[1])
    region: str = Field(examples=["nordics"])
    name: str = Field(examples=["Iceland / Norway"])
    p_energized_by_target: float = Field(examples=[0.79])
    risk: Literal["low", "medium", "high"] = Field(examples=["low"])
    wait_days: WaitDaysOut
    headroom_shortfall_probability: float = Field(examples=[0.0])
    rack_kw_max: float = Field(examples=[120.0], description="Highest rack density the region supports, kW.")
    rack_density_exceeded: bool = Field(
        examples=[False], description="True when rack_kw is above rack_kw_max."
    )
    reasons: list[str] = Field(
        examples=[["#1: 79% chance of being connected with enough headroom by 2028-06-01 (low risk).",
                   "Rack density 90 kW fits (up to 120 kW here)."]]
    )


class SitingOut(BaseModel):
    """Regions ranked by the probability of being energized by the target date, with reasons."""

    mw: float = Field(examples=[150.0])
    target_date: date = Field(examples=["2028-06-01"])
    rack_kw: float | None = Field(examples=[90.0])
    data_as_of: date = Field(examples=["2026-06-14"])
    model_version: str = Field(examples=["queue-risk-1.0+cs-cox+outlook-1.0+damped_ets"])
    ranking: list[SitingChoice]
    skipped: list[str] = Field(examples=[[]], description="Regions not assessed, with the reason.")
