"""The region catalog: what a region is, and validation that names the region and field at fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from forecast.errors import InvalidInputError, UserError

REGION_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"


class CatalogError(UserError, ValueError):
    """A catalog entry is invalid; carries the region, the field and the reason."""

    def __init__(self, region: str, field: str, reason: str) -> None:
        self.region, self.field, self.reason = region, field, reason
        super().__init__(f"region {region!r}, field {field!r}: {reason}")


class UnknownRegionError(UserError, KeyError):
    """A region id that the catalog does not hold."""

    def __init__(self, region: str, known: Iterable[str]) -> None:
        self.region = region
        self.known = sorted(known)
        super().__init__(f"unknown region {region!r}; known regions: {', '.join(self.known)}")

    def __str__(self) -> str:
        return self.args[0]


class Region(BaseModel):
    """One region: where it is, how it is powered, how long its grid queue is, where its data is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=REGION_ID_PATTERN, description="Stable id, e.g. us-nova.")
    name: str = Field(min_length=1, max_length=120, description="Name a planner reads.")
    timezone: str = Field(description="IANA timezone of the region's local time.")
    holidays: str = Field(description="Holiday calendar: ISO country code, optionally -subdivision.")
    queue_years: tuple[float, float] = Field(description="Typical grid-queue wait, years (min, max).")
    energy_source: str = Field(min_length=1, description="Dominant energy sources.")
    rack_kw: tuple[float, float] = Field(description="Rack density range, kW per rack (min, max).")
    rack_note: str = Field("", description="What limits rack density.")
    sources: dict[str, str] = Field(
        default_factory=dict, description="Public data-source identifiers (EIA-930 BA, PJM zone, ...)."
    )
    synthetic: bool = Field(False, description="True for generated regions (scale tests).")
    grid: str = Field("", max_length=200, description="What grid the region's load describes (zone, BA...).")
    grid_peak_mw: float | None = Field(None, gt=0, description="Approximate peak load of that grid, MW.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInputError(f"{value!r} is not an IANA timezone (e.g. Europe/Berlin)") from exc
        return value

    @field_validator("holidays")
    @classmethod
    def _known_calendar(cls, value: str) -> str:
        country, _, subdiv = value.partition("-")
        try:
            holidays.country_holidays(country, subdiv=subdiv or None)
        except NotImplementedError as exc:
            raise InvalidInputError(f"{value!r} is not a holiday calendar of the holidays package") from exc
        return value

    @field_validator("queue_years", "rack_kw")
    @classmethod
    def _ordered_range(cls, value: tuple[float, float]) -> tuple[float, float]:
        lo, hi = value
        if lo < 0 or hi <= 0 or lo > hi:
            raise InvalidInputError(f"must be [min, max] with 0 <= min <= max and max > 0, got {list(value)}")
        return value

    @model_validator(mode="after")
    def _sane(self) -> Region:
        if self.queue_years[1] > 20:
            raise InvalidInputError("queue_years above 20 years is not plausible")
        return self

    def holiday_calendar(self, years: Iterable[int]) -> holidays.HolidayBase:
        """The region's public holidays for the given years."""
        country, _, subdiv = self.holidays.partition("-")
        return holidays.country_holidays(country, subdiv=subdiv or None, years=list(years))


def parse_region(entry: Mapping[str, Any]) -> Region:
    """Validate one catalog entry; errors name the region and the first bad field."""
    region_id = str(entry.get("id", "<missing id>"))
    try:
        return Region.model_validate(dict(entry))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "<entry>"
        raise CatalogError(region_id, field, err["msg"]) from None


def parse_catalog(entries: Iterable[Mapping[str, Any]]) -> dict[str, Region]:
    """Validate entries into regions by id; a repeated id is an error."""
    regions: dict[str, Region] = {}
    for entry in entries:
        region = parse_region(entry)
        if region.id in regions:
            raise CatalogError(region.id, "id", "appears more than once in the catalog")
        regions[region.id] = region
    return regions


def region_entry(region: Region) -> dict[str, Any]:
    """A region as a plain catalog entry (for writing back to TOML)."""
    entry = {k: v for k, v in region.model_dump().items() if v is not None}  # TOML has no null
    entry["queue_years"] = list(region.queue_years)
    entry["rack_kw"] = list(region.rack_kw)
    return entry
