"""The planner's questions: queue risk of one request, and regions ranked for a new site."""

from __future__ import annotations

from fastapi import APIRouter

from pipelines.planning.answers import run_queue_risk, run_siting
from service.deps import SettingsDep, StoreDep
from service.errors import ErrorBody
from service.schemas.planning import QueueRiskIn, QueueRiskOut, SitingIn, SitingOut

router = APIRouter(prefix="/v1", tags=["planning"])
ERRORS = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}}


@router.post(
    "/queue-risk",
    response_model=QueueRiskOut,
    summary="Probability that X MW in a region is energized, with headroom, by a date",
    responses=ERRORS,
)
def queue_risk(body: QueueRiskIn, store: StoreDep, settings: SettingsDep) -> QueueRiskOut:
    result = run_queue_risk(store, settings, body.region, body.mw, body.target_date, as_of=body.as_of)
    return QueueRiskOut.model_validate(result, from_attributes=True)


@router.post(
    "/siting",
    response_model=SitingOut,
    summary="Regions ranked by the probability of X MW energized by a date, with reasons",
    responses=ERRORS,
)
def siting(body: SitingIn, store: StoreDep, settings: SettingsDep) -> SitingOut:
    result = run_siting(
        store, settings, body.mw, body.target_date, rack_kw=body.rack_kw, regions=body.regions
    )
    return SitingOut.model_validate(result, from_attributes=True)
