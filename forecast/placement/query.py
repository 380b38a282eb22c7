"""A placement query, its tuning parameters, its errors, and its resolution to a window of hours."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from forecast.errors import UserError

HOUR = timedelta(hours=1)


class PlacementQueryError(UserError, ValueError):
    """A placement query the paths cannot answer; `field` names the query field at fault (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class NonPositiveError(PlacementQueryError):
    """A quantity that must be positive (mw, hours, top, max_regions) is not."""

    def __init__(self, field: str, value: float) -> None:
        self.value = value
        super().__init__(field, f"must be a positive number, got {value!r}")


class NaiveTimeError(PlacementQueryError):
    """A time without a timezone; placement times must be timezone-aware (UTC)."""

    def __init__(self, field: str, value: datetime) -> None:
        self.value = value
        super().__init__(field, f"{value.isoformat()} has no timezone; send it with one, e.g. ...Z")


class DeadlineBeforeEarliestError(PlacementQueryError):
    """The deadline is not after the earliest start."""

    def __init__(self, earliest: datetime, deadline: datetime) -> None:
        self.earliest, self.deadline = earliest, deadline
        super().__init__(
            "deadline",
            f"{deadline.isoformat()} is not after the earliest start {earliest.isoformat()}; "
            "move the deadline later or the earliest start sooner",
        )


class OutsideHorizonError(PlacementQueryError):
    """The requested window does not overlap the published horizon of the paths."""

    def __init__(self, field: str, value: datetime, horizon_start: datetime, horizon_end: datetime) -> None:
        self.value, self.horizon_start, self.horizon_end = value, horizon_start, horizon_end
        super().__init__(
            field,
            f"{value.isoformat()} leaves no hour inside the published horizon "
            f"{horizon_start.isoformat()} .. {horizon_end.isoformat()}; ask within it",
        )


class RunLongerThanWindowError(PlacementQueryError):
    """The job needs more running hours than the window holds."""

    def __init__(self, hours: int, window_hours: int, start: datetime, end: datetime) -> None:
        self.hours, self.window_hours, self.start, self.end = hours, window_hours, start, end
        super().__init__(
            "hours",
            f"the job needs {hours} h but the window {start.isoformat()} .. {end.isoformat()} holds "
            f"{window_hours} h; shorten the job or widen the window",
        )


class UnknownRegionsError(PlacementQueryError, LookupError):
    """Regions named in the query have no headroom paths (HTTP 404); `known` lists those that do."""

    def __init__(self, unknown: Sequence[str], known: Sequence[str]) -> None:
        self.unknown, self.known = list(unknown), list(known)
        super().__init__("regions", f"no headroom paths for {self.unknown}; known regions: {self.known}")


class UnsupportedQueryError(PlacementQueryError):
    """A combination of options this version does not answer (said which, and what works)."""


@dataclass(frozen=True)
class PlacementQuery:
    """What a scheduler asks: where and when does a job of `mw` for `hours` fit (field names = API)."""

    mw: float = field(metadata={"description": "Constant power the job draws while running, MW."})
    hours: int = field(metadata={"description": "Running hours the job needs."})
    earliest: datetime | None = field(
        default=None,
        metadata={
            "description": "Earliest start, tz-aware; rounded up to a whole hour. Default: the first "
            "whole hour at or after `now` (and not before the horizon starts)."
        },
    )
    deadline: datetime | None = field(
        default=None,
        metadata={
            "description": "The run must end by this time, tz-aware; rounded down to a whole hour. "
            "Default, and the cap when later: the end of the published horizon."
        },
    )
    regions: tuple[str, ...] | None = field(
        default=None, metadata={"description": "Regions to consider; default all regions with paths."}
    )
    split: bool = field(
        default=False,
        metadata={"description": "Also offer plans dividing the MW over up to `max_regions` regions."},
    )
    max_regions: int = field(
        default=2, metadata={"description": "Most regions one split plan uses (only 2 is supported)."}
    )
    interruptible: bool = field(
        default=False,
        metadata={"description": "The job pauses whenever headroom < mw and resumes later."},
    )
    top: int = field(default=10, metadata={"description": "Most plans returned."})

    def __post_init__(self) -> None:
        if self.regions is not None and not isinstance(self.regions, tuple):
            object.__setattr__(self, "regions", tuple(self.regions))


@dataclass(frozen=True)
class PlacementParams:
    """How plans are searched and chosen (not part of the question a user asks)."""

    per_region: int = field(
        default=3,
        metadata={
            "description": "First pass: at most this many plans per region (or region pair), so the "
            "answer shows several places; later passes fill up to `top` if fewer were found."
        },
    )
    split_candidates: int = field(
        default=8,
        metadata={
            "description": "Split pruning: per start, only pairs among the this-many regions with the "
            "highest `split_quantile` window minimum are solved exactly (8 -> 28 pairs per start)."
        },
    )
    split_quantile: float = field(
        default=0.1,
        metadata={"description": "Quantile over paths of a region's window minimum used to prune splits."},
    )
    finish_quantile: float = field(
        default=0.9, metadata={"description": "Quantile of the interruptible finish time reported (P90)."}
    )


@dataclass(frozen=True)
class Window:
    """A query resolved against the paths: hour indices into the cube and the times they stand for."""

    first: int  # index of the first hour a run may start in
    stop: int  # index one past the last hour a run may occupy
    start: datetime
    end: datetime

    @property
    def n_hours(self) -> int:
        return self.stop - self.first


def _check_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise NaiveTimeError(name, value)


def ceil_hour(t: datetime) -> datetime:
    """`t` in UTC rounded up to a whole hour."""
    t = t.astimezone(UTC)
    floor = t.replace(minute=0, second=0, microsecond=0)
    return floor if floor == t else floor + HOUR


def floor_hour(t: datetime) -> datetime:
    """`t` in UTC rounded down to a whole hour."""
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def check_query(query: PlacementQuery, known: Sequence[str]) -> tuple[str, ...]:
    """Validate the fields that need no horizon; return the regions asked about (all when none named)."""
    if not (isinstance(query.mw, int | float) and math.isfinite(query.mw) and query.mw > 0):
        raise NonPositiveError("mw", query.mw)
    for name in ("hours", "top", "max_regions"):
        value = getattr(query, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise NonPositiveError(name, value)
    if query.split and query.max_regions > 2:
        raise UnsupportedQueryError(
            "max_regions", f"splits over {query.max_regions} regions are not supported yet; use 2"
        )
    if query.split and query.interruptible:
        raise UnsupportedQueryError(
            "split", "an interruptible job cannot be split yet; ask with split or interruptible, not both"
        )
    _check_aware("earliest", query.earliest)
    _check_aware("deadline", query.deadline)
    if query.regions is None:
        return tuple(known)
    unknown = sorted(set(query.regions) - set(known))
    if unknown:
        raise UnknownRegionsError(unknown, known)
    return tuple(r for r in known if r in set(query.regions))


def resolve_window(
    query: PlacementQuery, now: datetime, horizon_start: datetime, n_hours: int
) -> Window:
    """The hours a run may occupy: [max(earliest, now, horizon start), min(deadline, horizon end))."""
    _check_aware("now", now)
    horizon_end = horizon_start + n_hours * HOUR
    floor_start = max(ceil_hour(now), horizon_start)
    start = floor_start if query.earliest is None else max(ceil_hour(query.earliest), floor_start)
    deadline = horizon_end if query.deadline is None else floor_hour(query.deadline)
    if query.deadline is not None and query.deadline <= (query.earliest or now):
        raise DeadlineBeforeEarliestError(query.earliest or now, query.deadline)
    if start >= horizon_end:
        field_name = "earliest" if query.earliest is not None and query.earliest >= horizon_end else "now"
        raise OutsideHorizonError(field_name, query.earliest or now, horizon_start, horizon_end)
    if deadline <= horizon_start:
        raise OutsideHorizonError("deadline", query.deadline or deadline, horizon_start, horizon_end)
    end = min(deadline, horizon_end)
    window_hours = max(0, int((end - start) / HOUR))
    if query.hours > window_hours:
        raise RunLongerThanWindowError(query.hours, window_hours, start, max(start, end))
    first = int((start - horizon_start) / HOUR)
    return Window(first=first, stop=first + window_hours, start=start, end=end)
