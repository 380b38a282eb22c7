"""P(minimum headroom < X MW) over a window of a region's latest hourly forecast."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from pipelines.placement.shortfall import run_shortfall
from service.deps import SettingsDep, StoreDep
from service.errors import ErrorBody
from service.schemas.forecasts import ShortfallOut

router = APIRouter(prefix="/v1", tags=["regions"])


@router.get(
    "/regions/{region}/forecast/shortfall",
    response_model=ShortfallOut,
    summary="Probability that hourly headroom drops below X MW at least once in a window",
    description="Counted over the joint hourly headroom sample paths of the latest published issue: "
    "the share of paths whose lowest hour in `start <= ts < end` is below `below_mw` (whole horizon "
    "by default). Not the same as any single hour's shortfall probability: it is at least the largest.",
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
def region_shortfall(
    region: str,
    store: StoreDep,
    settings: SettingsDep,
    below_mw: Annotated[float, Query(ge=-1e6, le=1e6, description="Threshold X, MW.")],
    start: Annotated[datetime | None, Query(description="First hour counted, ISO 8601.")] = None,
    end: Annotated[datetime | None, Query(description="Hours before this are counted (exclusive).")] = None,
) -> ShortfallOut:
    return ShortfallOut.model_validate(asdict(run_shortfall(store, settings, region, below_mw, start, end)))
