"""Curtailment-enabled headroom of a region: history, when curtailment falls, and the next years."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pipelines.flexibility.answers import run_region_flexibility
from pipelines.flexibility.inputs import parse_limits
from service.deps import SettingsDep, StoreDep
from service.errors import ErrorBody
from service.schemas.flexibility import CalendarOut, FlexibilityOut, ForwardOut, HistoricalOut

router = APIRouter(prefix="/v1", tags=["regions"])
ERRORS = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}}
METHOD = ("monthly outlook samples (peak load, AI demand per scenario, capacity) scale the region's past "
          "hourly years; headroom at each limit is solved per sample; P10/P50/P90 over samples")


@router.get(
    "/regions/{region}/flexibility",
    response_model=FlexibilityOut,
    summary="Curtailment-enabled headroom: MW a region absorbs if the load accepts curtailment",
    description="`historical` follows the Duke study (seasonal peak thresholds over whole local years); "
    "`calendar` counts curtailed hours by month and hour at `calendar_limit`; `outlook` is the same "
    "quantity for the next five calendar years per AI-demand scenario. 409 when the region has less "
    "than one whole calendar year of grid_load.",
    responses=ERRORS,
)
def region_flexibility(
    region: str,
    store: StoreDep,
    settings: SettingsDep,
    limits: Annotated[
        str, Query(max_length=200, description="Curtailment limits in %, comma-separated, each in (0, 100).")
    ] = "0.25,0.5,1,5",
    calendar_limit: Annotated[
        float | None, Query(gt=0, lt=100, description="Limit (%) of the calendar; default the middle one.")
    ] = None,
) -> FlexibilityOut:
    answer = run_region_flexibility(store, settings, region, parse_limits(limits), calendar_limit)
    counts = answer.calendar.sort("month", "hour")["curtailed_hours"].to_numpy().reshape(12, 24)
    return FlexibilityOut(
        region=answer.region,
        basis=answer.basis,
        historical=HistoricalOut.model_validate(answer.historical.model_dump()),
        calendar=CalendarOut(limit_pct=answer.calendar_limit_pct, months=list(range(1, 13)),
                             hours=list(range(24)), curtailed_hours=counts.tolist()),
        outlook=ForwardOut(as_of=answer.as_of, basis=answer.basis, method=METHOD,
                           rows=[row for row in answer.forward.drop("basis").to_dicts()]),
    )
