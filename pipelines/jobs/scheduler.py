"""APScheduler wiring: a persistent SQLite job store, one entry per job of the schedule."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, text

from forecast.errors import InvalidInputError, UserError
from pipelines.config.settings import Settings
from pipelines.jobs.schedule import JOBS
from pipelines.jobs.upgrade import UPGRADE_JOB, upgrade_pending


class ScheduleError(UserError, ValueError):
    """A schedule setting that is neither `interval:SECONDS` nor `cron:EXPR`."""

    def __init__(self, job: str, value: str, reason: str) -> None:
        super().__init__(
            f"schedule of job {job!r} is {value!r}: {reason}; use interval:SECONDS or cron:'M H D M W'"
        )


def parse_trigger(job: str, value: str) -> BaseTrigger:
    """`interval:60` or `cron:15 3 * * *` (UTC) as an APScheduler trigger."""
    kind, _, spec = value.partition(":")
    try:
        if kind == "interval":
            seconds = float(spec)
            if seconds <= 0:
                raise InvalidInputError("the interval must be positive")
            return IntervalTrigger(seconds=seconds, timezone="UTC")
        if kind == "cron":
            return CronTrigger.from_crontab(spec, timezone="UTC")
    except ValueError as exc:
        raise ScheduleError(job, value, str(exc)) from None
    raise ScheduleError(job, value, f"unknown kind {kind!r}")


def build_scheduler(settings: Settings) -> BaseScheduler:
    """A scheduler whose jobs persist in SQLite: no job overlaps itself, misfires coalesce."""
    settings.home.mkdir(parents=True, exist_ok=True)
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{settings.scheduler_db}")},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.misfire_grace_seconds,
        },
        timezone="UTC",
    )


def sync_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add each job; a stored job whose schedule is unchanged keeps its next run time (no rerun)."""
    for name, job in JOBS.items():
        trigger = parse_trigger(name, job.schedule(settings))
        stored = scheduler.get_job(name)
        if stored is not None and str(stored.trigger) == str(trigger):
            continue
        scheduler.add_job(
            "pipelines.jobs.runner:scheduled_run",
            trigger,
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
        )
    for stored in scheduler.get_jobs():
        if stored.id not in JOBS:
            scheduler.remove_job(stored.id)


def schedule_upgrade(scheduler: BaseScheduler, settings: Settings) -> bool:
    """When the baseline serves but `train_models` is the selection, train the selection once,
    as soon as the scheduler runs (the baseline keeps serving meanwhile)."""
    if not upgrade_pending(settings):
        return False
    scheduler.add_job(
        "pipelines.jobs.upgrade:upgrade_serving", "date", id=UPGRADE_JOB, name=UPGRADE_JOB,
        replace_existing=True, misfire_grace_time=None,
    )
    return True


_IN_PROCESS: list[BaseScheduler] = []  # schedulers started by this process (serve runs one)


def start_scheduler(settings: Settings) -> BaseScheduler:
    """Start a background scheduler (paused while the jobs are synced) and return it."""
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    sync_jobs(scheduler, settings)
    schedule_upgrade(scheduler, settings)
    scheduler.resume()
    _IN_PROCESS.append(scheduler)
    return scheduler


def run_soon(name: str) -> bool:
    """Bring a job's next run forward to now, when this process runs the scheduler (else False:
    a separate scheduler process picks the change up at its next interval)."""
    for scheduler in _IN_PROCESS:
        if scheduler.running and scheduler.get_job(name) is not None:
            scheduler.modify_job(name, next_run_time=datetime.now(UTC))
            return True
    return False


def observations_arrived(changed_rows: int) -> bool:
    """New or changed observations: refresh now rather than at the next interval."""
    return changed_rows > 0 and run_soon("refresh")


def next_runs(settings: Settings) -> dict[str, datetime | None]:
    """Next run time of each stored job, read from the job store without starting a scheduler."""
    if not settings.scheduler_db.exists():
        return {}
    engine = create_engine(f"sqlite:///{settings.scheduler_db}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all()
    finally:
        engine.dispose()
    return {job_id: None if ts is None else datetime.fromtimestamp(ts, UTC) for job_id, ts in rows}
