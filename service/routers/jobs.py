"""Scheduled jobs: their schedule and last results, and running one now (bearer key)."""

from __future__ import annotations

from fastapi import APIRouter

from pipelines.jobs.runner import job_statuses, run_job
from service.deps import SettingsDep, StoreDep, WriterDep
from service.errors import ErrorBody
from service.schemas.operations import JobOut, JobsOut

router = APIRouter(prefix="/v1", tags=["jobs"])


@router.get(
    "/jobs",
    response_model=JobsOut,
    summary="Each job's schedule, next run and last results",
    responses={503: {"model": ErrorBody}},
)
def list_jobs(store: StoreDep, settings: SettingsDep) -> JobsOut:
    return JobsOut(
        jobs=[JobOut.model_validate(j, from_attributes=True) for j in job_statuses(store, settings)]
    )


@router.post(
    "/jobs/{name}/run",
    response_model=JobOut,
    summary="Run one job now (needs a bearer key)",
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
def run_now(name: str, caller: WriterDep, store: StoreDep, settings: SettingsDep) -> JobOut:
    result = run_job(name, settings, store)
    last = {k: getattr(result, k) for k in ("status", "started_at", "finished_at", "error", "figures")}
    return JobOut(name=result.job, last=last)
