"""Flexibility inputs: limits, years and time zones as typed by a user, and hourly load from file or store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from forecast import schema as S
from forecast.catalog import Region
from forecast.errors import InvalidInputError
from forecast.flexibility import InvalidLimitError
from pipelines.store import Store, load_series

FALLBACK_TIMEZONE = "UTC"


class InvalidOptionError(InvalidInputError):
    """A flexibility option (`field`) whose text cannot be read; says what it takes."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        self.field, self.value, self.reason = field, value, reason
        super().__init__(f"{field} {value!r}: {reason}")


def parse_limits(text: str, field: str = "limits") -> tuple[float, ...]:
    """Comma-separated curtailment limits in % (each in (0, 100)), ascending and unique."""
    try:
        limits = sorted({float(v) for v in text.split(",") if v.strip()})
    except ValueError:
        reason = "takes comma-separated numbers in %, e.g. 0.25,0.5,1,5"
        raise InvalidOptionError(field, text, reason) from None
    if not limits:
        raise InvalidOptionError(field, text, "needs at least one limit in %, e.g. 0.25,0.5,1,5")
    for c in limits:
        if not 0.0 < c < 100.0:
            raise InvalidOptionError(field, text, str(InvalidLimitError(c)))
    return tuple(limits)


def parse_years(text: str | None, field: str = "years") -> tuple[int, int] | None:
    """`2016-2024` or `2020` as (first, last); None for all whole years."""
    if not text:
        return None
    parts = text.split("-")
    try:
        first, last = (int(parts[0]), int(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        first = last = None
    if first is None or last is None or first > last:
        raise InvalidOptionError(field, text, "takes FIRST-LAST calendar years, e.g. 2016-2024, or one year")
    return first, last


def check_timezone(zone: str, field: str = "timezone") -> str:
    """The IANA zone, or an error naming the option."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidOptionError(field, zone, "is not an IANA time zone (e.g. America/Chicago)") from None
    return zone


@dataclass(frozen=True)
class Timezones:
    """`--timezone` values: one zone for every region and/or REGION=ZONE pairs."""

    default: str | None = None
    by_region: Mapping[str, str] | None = None

    @classmethod
    def parse(cls, values: Sequence[str] | None) -> Timezones:
        default, by_region = None, {}
        for value in values or ():
            if "=" in value:
                region, zone = (v.strip() for v in value.split("=", 1))
                by_region[region] = check_timezone(zone)
            else:
                default = check_timezone(value.strip())
        return cls(default, by_region)

    def of(self, region: str, catalog: Mapping[str, Region]) -> str:
        """REGION=ZONE, else the one zone given, else the catalog's zone, else UTC."""
        if self.by_region and region in self.by_region:
            return self.by_region[region]
        if self.default:
            return self.default
        return catalog[region].timezone if region in catalog else FALLBACK_TIMEZONE


def load_from_file(path: Path, regions: Sequence[str] | None = None) -> pl.DataFrame:
    """`region, ts, value` of a long file as `headroom backtest --data` reads it (y, value or load_mw)."""
    from pipelines.backtest.data import read_data_file

    return read_data_file(path, S.GRID_LOAD, regions or None).frame


def load_from_store(store: Store, regions: Sequence[str] | None = None) -> pl.DataFrame:
    """`region, ts, value` of grid_load in the store."""
    return load_series(store, S.GRID_LOAD, regions)


def present_regions(frame: pl.DataFrame) -> list[str]:
    """Regions with rows in a long frame, sorted."""
    return sorted(frame[S.REGION].unique().to_list())
