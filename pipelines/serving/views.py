"""Which views a region's data can answer (hourly forecast, outlook, queue risk, flexibility), and why not.

The dashboard asks this before it asks for a view, so a short history is said in words instead of
being met by a failed request. The rules are the pipelines' own: 168 hours for a forecast, the
outlook's complete months (and a capacity series), queue requests for queue risk, one whole local
calendar year for flexibility (the rule of forecast.flexibility.cleaning).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

from forecast import schema as S
from forecast.catalog import Region
from forecast.planning.outlook import OutlookParams
from pipelines.store import Store, latest_observations

MIN_FORECAST_HOURS = 168
VIEWS = ("forecast", "outlook", "queue_risk", "flexibility")


@dataclass(frozen=True)
class View:
    """Whether a view can be answered and, if not, what is missing."""

    available: bool
    needs: str | None = None


def whole_year(first: datetime | None, last: datetime | None, timezone: str) -> bool:
    """True when [first, last] (UTC) covers a local calendar year from its first hour to its last."""
    if first is None or last is None:
        return False
    a, b = first.astimezone(ZoneInfo(timezone)), last.astimezone(ZoneInfo(timezone))
    start = a.year if (a.month, a.day, a.hour) == (1, 1, 0) else a.year + 1
    end = b.year if (b.month, b.day, b.hour) == (12, 31, 23) else b.year - 1
    return start <= end


def _coverage(store: Store, regions: list[str], complete_share: float) -> dict[str, dict]:
    obs = store.scan("observations") if store.version("observations") is not None else None
    if obs is None:
        return {}
    rows = latest_observations(
        obs.filter(pl.col(S.SERIES).is_in([S.GRID_LOAD, S.CAPACITY]) & pl.col(S.REGION).is_in(regions))
    ).select(S.SERIES, S.REGION, S.TS)
    month = pl.col(S.TS).dt.date().dt.truncate("1mo")
    hours_in_month = (month.dt.offset_by("1mo") - month).dt.total_hours()
    load = rows.filter(pl.col(S.SERIES) == S.GRID_LOAD)
    spans = load.group_by(S.REGION).agg(
        pl.col(S.TS).min().alias("first"), pl.col(S.TS).max().alias("last"), pl.len().alias("hours")
    ).collect()
    months = (
        load.with_columns(month.alias("month"), hours_in_month.alias("size"))
        .group_by(S.REGION, "month").agg(pl.len().alias("n"), pl.col("size").first())
        .filter(pl.col("n") >= complete_share * pl.col("size"))
        .group_by(S.REGION).agg(pl.len().alias("months"))
        .collect()
    )
    capacity = set(rows.filter(pl.col(S.SERIES) == S.CAPACITY).select(S.REGION).unique().collect()[S.REGION])
    out = {r["region"]: {**r, "months": 0, "capacity": r["region"] in capacity} for r in spans.to_dicts()}
    for r in months.to_dicts():
        out[r["region"]]["months"] = r["months"]
    return out


def _queued(store: Store) -> set[str]:
    if store.version("queue_requests") is None:
        return set()
    return set(store.scan("queue_requests").select(S.REGION).unique().collect()[S.REGION].to_list())


def region_views(
    store: Store, catalog: Mapping[str, Region], params: OutlookParams | None = None
) -> dict[str, dict[str, View]]:
    """Per catalog region, each view's availability and what it still needs."""
    params = params or OutlookParams()
    regions = list(catalog)
    coverage = _coverage(store, regions, params.complete_share)
    queued = _queued(store)
    out: dict[str, dict[str, View]] = {}
    for region in regions:
        c = coverage.get(region, {"hours": 0, "months": 0, "capacity": False, "first": None, "last": None})
        hours, months = c["hours"], c["months"]
        forecast = View(True) if hours >= MIN_FORECAST_HOURS else View(
            False, f"{MIN_FORECAST_HOURS} hours of grid_load (has {hours})")
        if months < params.min_months:
            outlook = View(False, f"{params.min_months} complete months of grid_load (has {months})")
        elif not c["capacity"]:
            outlook = View(False, "a capacity series")
        else:
            outlook = View(True)
        if not outlook.available:
            risk = View(False, outlook.needs)
        elif region not in queued:
            risk = View(False, "interconnection queue requests")
        else:
            risk = View(True)
        flex = View(True) if whole_year(c["first"], c["last"], catalog[region].timezone) else View(
            False, f"one whole calendar year of grid_load in {catalog[region].timezone} "
            f"(has {hours / 8760:.2f} years)")
        out[region] = {"forecast": forecast, "outlook": outlook, "queue_risk": risk, "flexibility": flex}
    return out
