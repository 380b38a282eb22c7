"""Schemas of curtailment-enabled headroom: history, when curtailment falls, and the forward band."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

HISTORICAL_EXAMPLE = {
    "region": "us-nova",
    "timezone": "America/New_York",
    "years": [2025, 2025],
    "thresholds_mw": {"summer": 21274.0, "winter": 22415.0},
    "filled_hours": 0,
    "load_factor": 0.585,
    "limits": [
        {"limit_pct": 1.0, "headroom_mw": 3009.7, "curtailed_hours_per_year": 281.0, "mean_event_hours": 5.5,
         "retained_50": 0.80, "retained_75": 0.45, "retained_90": 0.22, "winter_share": 0.13,
         "summer_share": 0.80, "shoulder_share": 0.07},
    ],
}


class ThresholdsOut(BaseModel):
    """Seasonal peak thresholds (MW)."""

    model_config = ConfigDict(json_schema_extra={"examples": [HISTORICAL_EXAMPLE["thresholds_mw"]]})

    summer: float = Field(description="Highest load in Jun-Aug; held in Apr-Oct.")
    winter: float = Field(description="Highest load in Dec-Feb; held in Nov-Mar.")


class LimitOut(BaseModel):
    """Headroom and the shape of its curtailment at one limit."""

    model_config = ConfigDict(json_schema_extra={"examples": HISTORICAL_EXAMPLE["limits"]})

    limit_pct: float = Field(description="Share of the new load's energy that may be curtailed (%).")
    headroom_mw: float = Field(description="Constant new load whose mean yearly curtailment is the limit.")
    curtailed_hours_per_year: float
    mean_event_hours: float = Field(description="Mean length of runs of consecutive curtailed hours.")
    retained_50: float = Field(description="Share of curtailed hours in which >= 50 % of the new load runs.")
    retained_75: float = Field(description="Share of curtailed hours in which >= 75 % of the new load runs.")
    retained_90: float = Field(description="Share of curtailed hours in which >= 90 % of the new load runs.")
    winter_share: float = Field(description="Share of curtailed hours in Dec-Feb.")
    summer_share: float = Field(description="Share of curtailed hours in Jun-Aug.")
    shoulder_share: float = Field(description="Share of curtailed hours in the other months.")


class HistoricalOut(BaseModel):
    """A region's curtailment-enabled headroom over its whole local calendar years (the study's method)."""

    model_config = ConfigDict(json_schema_extra={"examples": [HISTORICAL_EXAMPLE]})
    region: str
    timezone: str = Field(description="IANA zone whose calendar years, months and hours are used.")
    years: tuple[int, int] = Field(description="First and last whole local calendar year analysed.")
    thresholds_mw: ThresholdsOut
    filled_hours: int = Field(description="Hours missing or implausible in those years, interpolated.")
    load_factor: float = Field(description="Mean load / peak load over those years.")
    limits: list[LimitOut]


class CalendarOut(BaseModel):
    """Curtailed hours at one limit by local month (rows, Jan first) and hour of day (columns, 0-23)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "limit_pct": 1.0, "months": list(range(1, 13)), "hours": list(range(24)),
        "curtailed_hours": [[0] * 24] * 12,
    }]})

    limit_pct: float = Field(examples=[1.0])
    months: list[int] = Field(examples=[list(range(1, 13))])
    hours: list[int] = Field(examples=[list(range(24))])
    curtailed_hours: list[list[int]] = Field(description="12 rows of 24 counts over all years analysed.")


class ForwardRow(BaseModel):
    """Headroom at one limit in one future calendar year and scenario (MW quantiles over samples)."""

    scenario: str = Field(examples=["base"])
    year: int = Field(examples=[2027])
    limit_pct: float = Field(examples=[1.0])
    p10: float = Field(examples=[4400.3])
    p50: float = Field(examples=[7928.0])
    p90: float = Field(examples=[10966.0])


class ForwardOut(BaseModel):
    """The same quantity for each of the next calendar years, per AI-demand scenario."""

    as_of: date = Field(
        description="Latest grid_load day; forward years start the year after.", examples=["2026-06-15"]
    )
    basis: str = Field(
        description="capacity_series (thresholds from capacity) or seasonal_peak.", examples=["seasonal_peak"]
    )
    method: str = Field(
        description="How the band is drawn (see docs/planning.md).",
        examples=["monthly outlook samples -> hourly paths -> headroom per sample"],
    )
    rows: list[ForwardRow]


class FlexibilityOut(BaseModel):
    """`GET /v1/regions/{region}/flexibility`: history, where curtailment falls, and the outlook."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{
                "region": "us-nova",
                "basis": "capacity_series",
                "historical": HISTORICAL_EXAMPLE,
                "calendar": {"limit_pct": 1.0, "months": list(range(1, 13)), "hours": list(range(24)),
                             "curtailed_hours": [[0] * 24] * 12},
                "outlook": {"as_of": "2026-06-15", "basis": "capacity_series",
                            "method": "monthly outlook samples -> hourly paths -> headroom per sample",
                            "rows": [{"scenario": "base", "year": 2027, "limit_pct": 1.0,
                                      "p10": 4400.3, "p50": 7928.0, "p90": 10966.0}]},
            }]
        }
    )
    region: str
    basis: str = Field(
        description="Capacity basis of the forward headroom: capacity_series or seasonal_peak; "
        "the historical figures are always against seasonal peak thresholds."
    )
    historical: HistoricalOut
    calendar: CalendarOut
    outlook: ForwardOut
