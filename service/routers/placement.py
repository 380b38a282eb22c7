"""Placing flexible compute: when and where in the published week a training job fits."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from forecast.placement import PlacementQuery
from pipelines.placement.answers import run_placement
from service.deps import SettingsDep, StoreDep
from service.errors import ErrorBody
from service.schemas.placement import PlacementIn, PlacementOut

router = APIRouter(prefix="/v1", tags=["planning"])
ERRORS = {
    404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}
}


@router.post(
    "/placement",
    response_model=PlacementOut,
    summary="Plans for a flexible job, ranked by the probability it runs uninterrupted",
    responses=ERRORS,
)
def placement(body: PlacementIn, store: StoreDep, settings: SettingsDep) -> PlacementOut:
    query = PlacementQuery(**body.model_dump(exclude={"as_of", "regions"}),
                           regions=tuple(body.regions) if body.regions is not None else None)
    answer = run_placement(store, settings, query, body.as_of or datetime.now(UTC))
    return PlacementOut.model_validate(answer.as_dict())
