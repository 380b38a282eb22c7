"""Request and response schemas of the HTTP API, separate from domain types, each with an example."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from forecast.catalog import Region


class Target(StrEnum):
    """What a forecast is of."""

    headroom = "headroom"
    grid_load = "grid_load"
    ai_demand = "ai_demand"
    capacity = "capacity"


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
    synthetic: bool

    @classmethod
    def of(cls, region: Region) -> RegionOut:
        return cls.model_validate(region.model_dump())


class RegionsOut(BaseModel):
    """Every region the service knows."""

    regions: list[RegionOut]


class ForecastPoint(BaseModel):
    """One quantile of one hour, in MW."""

    ts: datetime = Field(examples=["2026-11-29T14:00:00Z"])
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
                    "points": [
                        {"ts": "2026-11-29T14:00:00Z", "quantile": 0.1, "value": 10387.9},
                        {"ts": "2026-11-29T14:00:00Z", "quantile": 0.5, "value": 12064.0},
                        {"ts": "2026-11-29T14:00:00Z", "quantile": 0.9, "value": 13460.0},
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
    points: list[ForecastPoint]


class Health(BaseModel):
    """Liveness."""

    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    """Ready to serve: the store is readable and every region has a published forecast."""

    status: str = Field(examples=["ready"])
    forecasts_version: int | None = Field(examples=[3], description="Version of the forecasts table served.")
    regions: int = Field(examples=[4], description="Regions of the catalog, each with a published forecast.")
    warnings: list[str] = Field(
        default_factory=list,
        examples=[["retrain failed at 2026-11-29T03:15:00Z: OSError: disk full; the champions keep serving"]],
        description="Jobs whose latest run failed; what serves is unaffected.",
    )


class ChampionOut(BaseModel):
    """A registry version serving a demand target, with the backtest that put it there."""

    target: Target = Field(examples=["grid_load"])
    version: str = Field(examples=["default-d12-20261129T031500Z"])
    model: str = Field(examples=["lightgbm"], description="The model chosen for this region.")
    promoted_at: datetime | None = Field(examples=["2026-11-29T03:16:40Z"])
    reason: str | None = Field(examples=["challenger MASE 0.612 < champion 0.655"])
    data_version: int | None = Field(examples=[12], description="Observations table version it was fit on.")
    backtest: dict[str, float | int | None] = Field(
        examples=[{"mase": 0.612, "coverage_80": 0.81, "coverage_95": 0.95}],
        description="Holdout figures on the newest folds (mase, mae, coverage_80, coverage_95, width_80).",
    )
    created_at: datetime = Field(examples=["2026-11-29T03:15:00Z"])


class ServedModel(BaseModel):
    """The model version serving one region and target, and the issue it published."""

    region: str = Field(examples=["us-nova"])
    target: Target = Field(examples=["headroom"])
    model_version: str = Field(examples=["seasonal_naive-d3-20261129T130000Z"])
    issued_at: datetime = Field(examples=["2026-11-29T13:00:05Z"])
    data_as_of: datetime = Field(examples=["2026-11-29T13:00:00Z"])
    horizon_hours: int = Field(examples=[168])
    champions: list[ChampionOut] = Field(
        default_factory=list,
        description="Registry champions behind it: its own for grid_load and ai_demand, both for "
        "headroom, none for capacity (held at its last known value).",
    )


class ModelsOut(BaseModel):
    """What serves each region and target now."""

    models: list[ServedModel]


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


class OverviewOut(BaseModel):
    """Every region at a glance (the dashboard's table)."""

    regions: list[RegionOverview]
