"""Schemas of observation writes and their batch reports."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

# Loose on purpose: a row with a bad value is quarantined with its reason by ingestion, not refused.
# Strict types all the same: `true` is not 1 MW, and a list or an object is not a value.
Loose = StrictStr | StrictInt | StrictFloat | None


class ObservationIn(BaseModel):
    """One observation: region, series, hour (ISO 8601, UTC or with offset), value and unit."""

    # An unknown field is refused, naming it: a misspelt `issued_at` would otherwise turn an
    # operator's forecast into an actual without a word.
    model_config = ConfigDict(extra="forbid")

    region: Loose = Field(None, examples=["us-nova"])
    series: Loose = Field(None, examples=["grid_load"])
    ts: Loose = Field(None, examples=["2026-11-29T13:00:00Z"])
    value: Loose = Field(None, examples=[14210.0])
    unit: Loose = Field(None, examples=["MW"])
    issued_at: Loose = Field(None, description="For series that are forecasts: when it was issued.")


class ObservationsIn(BaseModel):
    """A batch of observations (or send NDJSON, one observation object a line)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"observations": [{"region": "us-nova", "series": "grid_load",
                                   "ts": "2026-11-29T13:00:00Z", "value": 14210.0, "unit": "MW"}]}
            ]
        }
    )

    observations: list[ObservationIn] = Field(min_length=1)


class BatchReportOut(BaseModel):
    """What one batch did; accepted + updated + unchanged + quarantined == rows_read."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"batch_id": "3f2a9c0e1b7d4e55", "source": "api:key:9c1f0e2ab3d4", "rows_read": 3,
                 "accepted": 2, "updated": 0, "unchanged": 0, "quarantined": 1,
                 "by_reason": {"missing_value": 1}, "observations_written": 2, "quarantine_written": 1,
                 "ingested_at": "2026-11-29T13:05:00Z"}
            ]
        }
    )

    batch_id: str
    source: str
    rows_read: int
    accepted: int
    updated: int
    unchanged: int
    quarantined: int
    by_reason: dict[str, int]
    observations_written: int
    quarantine_written: int
    ingested_at: datetime
    note: str = ""
