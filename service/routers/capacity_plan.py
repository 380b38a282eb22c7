"""A region's planned capacity additions and retirements: read openly, written with a bearer key."""

from __future__ import annotations

from fastapi import APIRouter

from forecast.planning.capacity_plan import PlannedChange
from pipelines.planning.capacity_plan import add_planned_change, region_plan
from service.deps import SettingsDep, StoreDep, WriterDep
from service.errors import ErrorBody
from service.schemas.capacity_plan import CapacityPlanOut, PlannedChangeIn, PlannedChangeOut

router = APIRouter(prefix="/v1", tags=["planning"])
ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def _plan(region: str, changes: list[PlannedChange], added: PlannedChange | None = None) -> CapacityPlanOut:
    out = [PlannedChangeOut.model_validate(c, from_attributes=True) for c in changes]
    return CapacityPlanOut(
        region=region, changes=out, net_mw=round(sum(c.mw for c in changes), 3),
        added=PlannedChangeOut.model_validate(added, from_attributes=True) if added else None,
    )


@router.get(
    "/regions/{region}/capacity-plan",
    response_model=CapacityPlanOut,
    summary="Planned capacity additions and retirements of a region",
    responses=ERRORS,
)
def get_capacity_plan(region: str, store: StoreDep, settings: SettingsDep) -> CapacityPlanOut:
    return _plan(region, region_plan(store, settings, region))


@router.post(
    "/regions/{region}/capacity-plan",
    response_model=CapacityPlanOut,
    status_code=201,
    summary="Record a planned addition (MW > 0) or retirement (MW < 0); the outlook includes it at once",
    description="Needs `Authorization: Bearer <key>`. The region's outlook, queue risk and siting are "
    "recomputed with the plan (their `inputs.capacity_plan` and `provenance` list it).",
    responses={401: {"model": ErrorBody}, **ERRORS},
)
def post_capacity_plan(
    region: str, body: PlannedChangeIn, caller: WriterDep, store: StoreDep, settings: SettingsDep
) -> CapacityPlanOut:
    added = add_planned_change(store, settings, region, body.mw, body.from_date, body.note)
    return _plan(region, region_plan(store, settings, region), added)
