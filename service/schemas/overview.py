"""Schemas of the dashboard overview."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Reading(BaseModel):
    """One value at one hour, in MW."""

    ts: datetime = Field(examples=["2026-11-29T13:00:00Z"])
    value: float = Field(examples=[14210.0])


class RegionOverview(BaseModel):
    """A region at a glance: its latest load, headroom now and the tightest hour of the week ahead."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region": "us-nova",
                    "name": "Northern Virginia, USA",
                    "latest_load": {"ts": "2026-11-29T13:00:00Z", "value": 14210.0},
                    "headroom_now": {"ts": "2026-11-29T14:00:00Z", "value": 812.5},
                    "min_p10_headroom_7d": {"ts": "2026-12-02T18:00:00Z", "value": -120.0},
                    "model_version": "seasonal_naive-d3-20261129T130000Z",
                    "issued_at": "2026-11-29T13:00:05Z",
                    "basis": "capacity_series",
                }
            ]
        }
    )

    region: str
    name: str
    latest_load: Reading | None = Field(description="Last observed grid load; null when none is stored.")
    headroom_now: Reading | None = Field(description="Median headroom of the first forecast hour.")
    min_p10_headroom_7d: Reading | None = Field(description="Lowest P10 headroom over the next 168 hours.")
    model_version: str | None
    issued_at: datetime | None
    basis: str | None = Field(
        None, description="Capacity basis of the headroom: capacity_series or seasonal_peak (null when none "
        "is published).",
    )


class OverviewOut(BaseModel):
    """Every region at a glance (the dashboard's table)."""

    regions: list[RegionOverview]
