"""Schemas of regions and hourly forecasts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from forecast.catalog import Region
from service.schemas.planning import OutlookHorizonOut, ProvenanceOut


class Target(StrEnum):
    """What a forecast is of."""

    headroom = "headroom"
    grid_load = "grid_load"
    ai_demand = "ai_demand"
    capacity = "capacity"


class ViewOut(BaseModel):
    """Whether the region's data can answer a view, and if not what it still needs."""

    available: bool = Field(examples=[False])
    needs: str | None = Field(None, examples=["8 complete months of grid_load (has 4)"])


class RegionOut(BaseModel):
    """A region of the catalog."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "us-nova",
                    "name": "Northern Virginia, USA",
                    "timezone": "America/New_York",
                    "holidays": "US-VA",
                    "queue_years": [3.0, 5.0],
                    "energy_source": "fossil fuels / nuclear",
                    "rack_kw": [40.0, 60.0],
                    "rack_note": "thermal constrained",
                    "sources": {"eia930_ba": "PJM", "pjm_zone": "DOM"},
                    "synthetic": False,
                }
            ]
        }
    )

    id: str
    name: str
    timezone: str
    holidays: str
    queue_years: tuple[float, float]
    energy_source: str
    rack_kw: tuple[float, float]
    rack_note: str
    sources: dict[str, str]
    synthetic: bool = Field(
        description="True when the region is generated or any of its stored inputs is synthetic."
    )
    grid: str = Field("", description="What grid the region's load describes (zone, BA, weather zone).")
    grid_peak_mw: float | None = Field(None, description="Approximate peak of that grid, MW.")
    synthetic_inputs: list[str] = Field(
        default_factory=list, examples=[["ai_demand", "capacity", "queue_requests"]],
        description="Input series with synthetic rows in the store.",
    )
    provenance: list[ProvenanceOut] = Field(
        default_factory=list, description="Per input series and source: synthetic or not, as-of date."
    )
    outlook: OutlookHorizonOut | None = Field(None, description="How far the planning outlook can speak.")
    views: dict[str, ViewOut] | None = Field(
        None, description="forecast, outlook, queue_risk, flexibility: what the region's data can answer."
    )

    @classmethod
    def of(
        cls,
        region: Region,
        provenance: list | None = None,
        outlook: OutlookHorizonOut | None = None,
        views: dict | None = None,
    ) -> RegionOut:
        entries = [ProvenanceOut.model_validate(e, from_attributes=True) for e in provenance or []]
        inputs = sorted({e.series for e in entries if e.synthetic})
        return cls.model_validate(
            {
                **region.model_dump(),
                "synthetic": region.synthetic or bool(inputs),
                "synthetic_inputs": inputs,
                "provenance": entries,
                "outlook": outlook,
                "views": views,
            }
        )


class RegionsOut(BaseModel):
    """Every region the service knows."""

    regions: list[RegionOut]


class ForecastPoint(BaseModel):
    """One quantile of one hour, in MW."""

    ts: datetime = Field(examples=["2026-11-29T14:00:00Z"])
    ts_local: str | None = Field(
        None, examples=["2026-11-29T09:00:00-05:00"],
        description="The same hour in the region's local time (catalog timezone), ISO 8601 with offset.",
    )
    quantile: float = Field(examples=[0.5])
    value: float = Field(examples=[12064.0])


class ForecastOut(BaseModel):
    """An hourly probabilistic forecast of one target for one region (long format)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region": "us-nova",
                    "target": "headroom",
                    "unit": "MW",
                    "horizon": 2,
                    "quantiles": [0.1, 0.5, 0.9],
                    "model_version": "seasonal_naive-d3-20261129T130000Z",
                    "issued_at": "2026-11-29T13:00:05Z",
                    "data_as_of": "2026-11-29T13:00:00Z",
                    "basis": "capacity_series",
                    "points": [
                        {"ts": "2026-11-29T14:00:00Z", "ts_local": "2026-11-29T09:00:00-05:00",
                         "quantile": 0.1, "value": 10387.9},
                        {"ts": "2026-11-29T14:00:00Z", "ts_local": "2026-11-29T09:00:00-05:00",
                         "quantile": 0.5, "value": 12064.0},
                        {"ts": "2026-11-29T14:00:00Z", "ts_local": "2026-11-29T09:00:00-05:00",
                         "quantile": 0.9, "value": 13460.0},
                    ],
                }
            ]
        }
    )

    region: str
    target: Target
    unit: str = "MW"
    horizon: int
    quantiles: list[float]
    model_version: str
    issued_at: datetime
    data_as_of: datetime
    basis: Literal["capacity_series", "seasonal_peak"] | None = Field(
        None,
        description="Capacity basis of headroom and capacity forecasts: the region's capacity series, "
        "or its seasonal peak thresholds (highest summer / winter load of its whole local years) where "
        "it has none. Absent for grid_load and ai_demand.",
    )
    points: list[ForecastPoint]


class MinHeadroomOut(BaseModel):
    """P10/P50/P90 over the paths of the window's lowest hourly headroom, MW."""

    p10: float = Field(examples=[850.0])
    p50: float = Field(examples=[1420.0])
    p90: float = Field(examples=[1990.0])


class ShortfallOut(BaseModel):
    """P(minimum hourly headroom < below_mw) over a window of the latest published issue (#19)."""

    region: str = Field(examples=["us-nova"])
    below_mw: float = Field(examples=[500.0])
    start: datetime = Field(examples=["2026-11-29T14:00:00Z"], description="First hour counted (UTC).")
    end: datetime = Field(examples=["2026-12-01T13:00:00Z"], description="Last hour counted (UTC).")
    hours: int = Field(examples=[48])
    samples: int = Field(examples=[200], description="Joint sample paths the probability is counted over.")
    probability: float = Field(
        examples=[0.12],
        description="Share of joint hourly headroom paths whose lowest hour in the window is below below_mw.",
    )
    min_headroom_mw: MinHeadroomOut
    issued_at: datetime = Field(examples=["2026-11-29T13:00:05Z"])
    model_version: str = Field(examples=["lightgbm-d3-20261129T130000Z"])
