"""Planned capacity additions and retirements of a region: checked entries, and the outlook's input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import polars as pl
from pydantic import BaseModel, Field

from forecast import schema as S
from forecast.errors import InvalidInputError

MIN_ABS_MW, MAX_ABS_MW = 0.001, 100_000.0
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class InvalidPlannedChangeError(InvalidInputError):
    """A planned change the plan refuses; names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


class PlannedChange(BaseModel):
    """One planned change of a region's firm capacity: an addition (MW > 0) or a retirement (MW < 0)."""

    id: str = Field(description="Identifier of the entry.")
    region: str = Field(description="Region id of the catalog.")
    mw: float = Field(description="Change of firm capacity, MW: positive adds, negative retires.")
    from_date: date = Field(
        description="Date the change takes effect; it counts in every month starting on or after it."
    )
    note: str | None = Field(None, description="Free text: the project, the source of the figure.")
    added_at: datetime = Field(description="When the entry was recorded (UTC).")


def check_planned_change(mw: float, from_date: date) -> None:
    """Refuse zero or absurd MW and dates outside 2000-2100, naming the field."""
    if mw != mw or abs(mw) < MIN_ABS_MW:
        raise InvalidPlannedChangeError(
            "mw", f"must be non-zero, at least {MIN_ABS_MW:g} MW either way (positive adds, negative retires)"
        )
    if abs(mw) > MAX_ABS_MW:
        raise InvalidPlannedChangeError("mw", f"must be within +/-{MAX_ABS_MW:,.0f} MW, got {mw:g}")
    if not EARLIEST <= from_date <= LATEST:
        raise InvalidPlannedChangeError(
            "from_date", f"must be between {EARLIEST} and {LATEST}, got {from_date.isoformat()}"
        )


def additions_frame(changes: list[PlannedChange]) -> pl.DataFrame:
    """The changes as the outlook's `additions` (`region, ts, value`: ts at the start of from_date)."""
    return pl.DataFrame(
        {
            S.REGION: [c.region for c in changes],
            S.TS: [datetime.combine(c.from_date, time(), tzinfo=UTC) for c in changes],
            S.VALUE: [float(c.mw) for c in changes],
        },
        schema={S.REGION: pl.String, S.TS: S.UTC_TS, S.VALUE: pl.Float64},
    )
