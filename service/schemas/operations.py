"""Schemas of health, readiness, models and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.forecasts import Target


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


class JobOut(BaseModel):
    """A scheduled job: its schedule, next run and last result."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(examples=["retrain"])
    schedule: str | None = Field(None, examples=["cron: 0 3 * * *"])
    next_run: datetime | None = Field(None, examples=["2026-11-30T03:00:00Z"])
    last: dict[str, Any] | None = Field(
        None, examples=[{"status": "ok", "finished_at": "2026-11-29T03:04:10Z"}]
    )


class JobsOut(BaseModel):
    """Every scheduled job."""

    jobs: list[JobOut]
