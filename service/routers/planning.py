"""The planner's questions: queue risk of one request, and regions ranked for a new site."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from forecast.planning.flexible import FlexibleRequest
from pipelines.planning.answers import run_siting
from pipelines.planning.compare import QueueRiskComparison, run_queue_risk_scenarios
from service.deps import SettingsDep, StoreDep
from service.errors import ErrorBody
from service.revalidation import NOT_MODIFIED, json_answer
from service.schemas.planning import (
    QueueRiskComparisonOut,
    QueueRiskIn,
    QueueRiskOut,
    SitingIn,
    SitingOut,
)

router = APIRouter(prefix="/v1", tags=["planning"])
ERRORS = {
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    422: {"model": ErrorBody},
    503: {"model": ErrorBody},
    **NOT_MODIFIED,
}


@router.post(
    "/queue-risk",
    response_model=QueueRiskOut | QueueRiskComparisonOut,
    summary="Probability that X MW in a region is in service, with headroom that holds, at a date",
    description="`p_energized_by_target` = P(connected by the target) x P(headroom >= MW in the "
    "target month and the `hold_months` after it). The answer echoes its inputs and names each "
    "input series' source; `ETag` allows revalidation (304 on a matching `If-None-Match`). With "
    "`scenarios` (e.g. `[\"low\", \"base\", \"high\"]`) one block per scenario in `by_scenario`.",
    responses=ERRORS,
)
def queue_risk(request: Request, body: QueueRiskIn, store: StoreDep, settings: SettingsDep) -> Response:
    scenarios = [s.value for s in body.scenarios] if body.scenarios else [body.scenario.value]
    result = run_queue_risk_scenarios(
        store,
        settings,
        body.region,
        body.mw,
        body.target_date,
        scenarios,
        as_of=body.as_of,
        hold_months=body.hold_months,
        queue_sources=body.queue_sources,
        flexible=FlexibleRequest(body.curtailment_pct) if body.flexible else None,
    )
    shape = QueueRiskComparisonOut if isinstance(result, QueueRiskComparison) else QueueRiskOut
    return json_answer(request, shape.model_validate(result, from_attributes=True))


@router.post(
    "/siting",
    response_model=SitingOut,
    summary="Regions ranked by the probability of X MW served at a date, with reasons",
    responses=ERRORS,
)
def siting(request: Request, body: SitingIn, store: StoreDep, settings: SettingsDep) -> Response:
    result = run_siting(
        store,
        settings,
        body.mw,
        body.target_date,
        rack_kw=body.rack_kw,
        regions=body.regions,
        scenario=body.scenario.value,
        hold_months=body.hold_months,
        queue_sources=body.queue_sources,
        flexible=FlexibleRequest(body.curtailment_pct) if body.flexible else None,
        rank_by=body.rank_by,
    )
    return json_answer(request, SitingOut.model_validate(result, from_attributes=True))
