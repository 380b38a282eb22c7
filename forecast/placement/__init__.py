"""Placing flexible compute (issue #18): when and where in the published horizon a job fits."""

from forecast.placement.answer import InterruptiblePlan, Placement, Plan, Share
from forecast.placement.cube import HeadroomCube, UnalignedPathsError, headroom_cube
from forecast.placement.place import place
from forecast.placement.query import (
    DeadlineBeforeEarliestError,
    NaiveTimeError,
    NonPositiveError,
    OutsideHorizonError,
    PlacementParams,
    PlacementQuery,
    PlacementQueryError,
    RunLongerThanWindowError,
    UnknownRegionsError,
    UnsupportedQueryError,
)

__all__ = [
    "DeadlineBeforeEarliestError",
    "HeadroomCube",
    "InterruptiblePlan",
    "NaiveTimeError",
    "NonPositiveError",
    "OutsideHorizonError",
    "Placement",
    "PlacementParams",
    "PlacementQuery",
    "PlacementQueryError",
    "Plan",
    "RunLongerThanWindowError",
    "Share",
    "UnalignedPathsError",
    "UnknownRegionsError",
    "UnsupportedQueryError",
    "headroom_cube",
    "place",
]
