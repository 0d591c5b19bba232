"""The clock for periodic background work: django-tasks has none of its own.

Apps register jobs in ``AppConfig.ready()``; ``manage.py run_scheduler`` (one process, never
a web worker) enqueues each job when it is due. Jobs must be idempotent: a job whose last
run is still waiting or running is not enqueued again — but a run holds its claim only for
the job's lease. A run still RUNNING after its lease is taken to have lost its worker
(killed, out of memory, power loss): it is marked FAILED and the job is enqueued again. A
failed run is logged at ERROR and retried with a bounded exponential backoff.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)

# How often the queue is looked at for one job, at most (its interval when shorter).
CHECK_SECONDS = 10.0
# A failed run is tried again after min(every, RETRY_BASE) × 2^(failures - 1) seconds, capped
# at the larger of RETRY_CAP and the job's interval.
RETRY_BASE_SECONDS = 30.0
RETRY_CAP_SECONDS = 5 * 60.0
# Finished runs of a periodic job are deleted after a day, its latest few kept for the report.
RUN_RETENTION = timedelta(days=1)
KEEP_RUNS = 20
PRUNE_EVERY_SECONDS = 3600.0
DEFAULT_LEASE_SECONDS = 15 * 60.0
LEASE_EXPIRED = "gemeinsam.core.scheduler.LeaseExpiredError"


class LeaseExpiredError(RuntimeError):
    """A run outlived its job's lease; its worker is taken to be dead."""


@dataclass
class PeriodicJob:
    """A job run every ``every_seconds``; a run may hold its claim for ``lease_seconds``."""

    name: str
    task: Any
    every_seconds: float
    lease_seconds: float
    last_enqueued: float = field(default=0.0)
    last_checked: float = field(default=0.0)
    reported_failure: str = field(default="")
    last_pruned: float = field(default=0.0)


_jobs: dict[str, PeriodicJob] = {}


def register_periodic_job(
    name: str,
    task: Any,
    *,
    every_seconds: float,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> None:
    """Run ``task`` every ``every_seconds``.

    ``lease_seconds`` is how long one run may take before it counts as lost: a few times its
    longest expected run, and well above its interval's jitter.
    """
    _jobs[name] = PeriodicJob(
        name=name, task=task, every_seconds=every_seconds, lease_seconds=lease_seconds
    )


def registered_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def retry_delay(job: PeriodicJob, failures: int) -> float:
    """Seconds to wait after the ``failures``-th failed run in a row before the next one:
    doubling from min(interval, RETRY_BASE_SECONDS) up to the larger of RETRY_CAP_SECONDS
    and the job's own interval, so a failing hourly job is not run more often than hourly
    for long."""
    base = min(job.every_seconds, RETRY_BASE_SECONDS)
    cap = max(RETRY_CAP_SECONDS, job.every_seconds)
    return float(min(base * 2 ** max(failures - 1, 0), cap))


def reclaim_expired_runs(job: PeriodicJob, *, at: datetime | None = None) -> int:
    """Mark this job's runs that are RUNNING past their lease as FAILED; return how many.

    Their worker is gone (a live worker finishing late still records its result over this).
    Side effects: updates the rows and logs each at ERROR with the job name and worker.
    """
    from django_tasks_db.models import DBTaskResult

    at = at or timezone.now()
    stale = DBTaskResult.objects.filter(
        task_path=job.task.module_path,
        status="RUNNING",
        started_at__lt=at - timedelta(seconds=job.lease_seconds),
    )
    reclaimed = 0
    for run in stale:
        reason = (
            f"{LEASE_EXPIRED}: the run started at {run.started_at:%Y-%m-%d %H:%M:%S %Z} by "
            f"worker {', '.join(run.worker_ids) or '?'} was still RUNNING after its lease of "
            f"{job.lease_seconds:g} s; its worker is taken to have died.\n"
        )
        reclaimed += DBTaskResult.objects.filter(pk=run.pk, status="RUNNING").update(
            status="FAILED",
            # Lost when its lease ran out, not when noticed: the retry's backoff counts from then.
            finished_at=run.started_at + timedelta(seconds=job.lease_seconds),
            exception_class_path=LEASE_EXPIRED,
            traceback=reason,
            return_value=None,
        )
        logger.error("Background job %s lost its run: %s", job.name, reason.strip())
    return reclaimed


def prune_finished_runs(job: PeriodicJob, *, at: datetime | None = None) -> int:
    """Delete this job's runs that finished more than ``RUN_RETENTION`` ago, keeping its
    latest ``KEEP_RUNS``; return how many went.

    The scheduler reads each job's latest runs every few seconds; a table that only grows
    (publishing alone adds 8,640 runs a day) makes every one of those reads slower.
    """
    from django_tasks_db.models import DBTaskResult

    at = at or timezone.now()
    runs = DBTaskResult.objects.filter(task_path=job.task.module_path)
    kept = list(runs.order_by("-enqueued_at").values_list("pk", flat=True)[:KEEP_RUNS])
    deleted, _by_model = (
        runs.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=at - RUN_RETENTION)
        .exclude(pk__in=kept)
        .delete()
    )
    return int(deleted)


@dataclass(frozen=True)
class QueueState:
    pending: bool
    waiting_since: datetime | None = None  # the oldest run still waiting for a worker
    failures: int = 0
    last_failed_at: datetime | None = None
    last_failed_id: str = ""
    last_error: str = ""


def queue_state(job: PeriodicJob, *, at: datetime | None = None) -> QueueState:
    """Whether a run of this job is waiting or running (within its lease), and how many of
    its latest runs failed in a row. Reclaims expired runs first."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it keeps no queue we could look at
        return QueueState(pending=False)
    reclaim_expired_runs(job, at=at)
    runs = DBTaskResult.objects.filter(task_path=job.task.module_path)
    pending = list(runs.filter(status__in=["READY", "RUNNING"]).values("status", "enqueued_at"))
    if pending:
        waiting = [run["enqueued_at"] for run in pending if run["status"] == "READY"]
        return QueueState(pending=True, waiting_since=min(waiting) if waiting else None)
    latest = list(
        runs.order_by("-enqueued_at").values(
            "id", "status", "finished_at", "exception_class_path", "traceback"
        )[:10]
    )
    failures = _failures_in_a_row([run["status"] for run in latest])
    if not failures:
        return QueueState(pending=False)
    last = latest[0]
    return QueueState(
        pending=False,
        failures=failures,
        last_failed_at=last["finished_at"],
        last_failed_id=str(last["id"]),
        last_error=_last_line(last["traceback"]) or str(last["exception_class_path"]),
    )


def _failures_in_a_row(statuses: list[str]) -> int:
    """How many of these runs' statuses, newest first, are failures before the first other."""
    failures = 0
    for status in statuses:
        if status != "FAILED":
            break
        failures += 1
    return failures


def _last_line(traceback: object) -> str:
    """The last line of a traceback: the error itself."""
    lines = [line for line in str(traceback or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _warn_if_no_worker(job: PeriodicJob, state: QueueState) -> None:
    """Log, once per waiting run, a run that no worker has picked up within the job's lease."""
    if state.waiting_since is None:
        return
    waited = (timezone.now() - state.waiting_since).total_seconds()
    marker = f"waiting:{state.waiting_since.isoformat()}"
    if waited > job.lease_seconds and job.reported_failure != marker:
        job.reported_failure = marker
        logger.error(
            "Background job %s has waited %d s for a worker: is `manage.py db_worker` running?",
            job.name,
            waited,
        )


def run_due_jobs(*, now: float | None = None) -> list[str]:
    """Enqueue every job whose interval (or, after a failure, its backoff) has passed.

    Returns the names enqueued. Side effects: reclaims expired runs, prunes old finished
    runs about once an hour per job, and logs each newly seen failure at ERROR with the
    job's name, the error and when it is tried again. A job whose check or enqueue raises
    is logged and skipped; the others are still enqueued.
    """
    now = time.monotonic() if now is None else now
    enqueued = []
    for job in _jobs.values():
        if job.last_checked and now - job.last_checked < min(job.every_seconds, CHECK_SECONDS):
            continue
        job.last_checked = now
        try:
            if _enqueue_if_due(job, now):
                enqueued.append(job.name)
            if now - job.last_pruned >= PRUNE_EVERY_SECONDS:
                job.last_pruned = now
                prune_finished_runs(job)
        except Exception:  # a database hiccup or a broken job must not hold up the others
            logger.exception("Could not check or enqueue background job %s.", job.name)
    return enqueued


def _enqueue_if_due(job: PeriodicJob, now: float) -> bool:
    state = queue_state(job)
    if state.pending:
        _warn_if_no_worker(job, state)
        return False
    if state.failures:
        delay = retry_delay(job, state.failures)
        if state.last_failed_id != job.reported_failure:
            job.reported_failure = state.last_failed_id
            logger.error(
                "Background job %s failed (%d time(s) in a row): %s — trying again in %g s.",
                job.name,
                state.failures,
                state.last_error,
                delay,
            )
        failed_at = state.last_failed_at or timezone.now()
        if (timezone.now() - failed_at).total_seconds() < delay:
            return False
    elif job.last_enqueued and now - job.last_enqueued < job.every_seconds:
        return False
    job.last_enqueued = now
    job.task.enqueue()
    return True


@dataclass(frozen=True)
class JobStatus:
    """What staff see of one periodic job: its schedule and its latest run."""

    name: str
    every_seconds: float
    lease_seconds: float
    status: str  # the latest run's: READY, RUNNING, SUCCESSFUL, FAILED, or "" if never run
    at: datetime | None  # when that run finished, started or was enqueued
    failures: int  # failed runs in a row
    last_error: str
    is_overdue: bool  # RUNNING past its lease or waiting longer than its lease


def job_overview(*, at: datetime | None = None) -> list[JobStatus]:
    """The registered jobs with their latest run, for the background-jobs report; reads only."""
    from django_tasks_db.models import DBTaskResult

    at = at or timezone.now()
    overview = []
    for job in sorted(_jobs.values(), key=lambda job: job.name):
        latest = list(
            DBTaskResult.objects.filter(task_path=job.task.module_path)
            .order_by("-enqueued_at")
            .values("status", "enqueued_at", "started_at", "finished_at", "traceback")[:10]
        )
        failures = _failures_in_a_row([run["status"] for run in latest])
        last = latest[0] if latest else None
        when = None
        overdue = False
        if last is not None:
            when = last["finished_at"] or last["started_at"] or last["enqueued_at"]
            if last["status"] in ("READY", "RUNNING"):
                overdue = (at - when).total_seconds() > job.lease_seconds
        error = next(
            (_last_line(run["traceback"]) for run in latest if run["status"] == "FAILED"), ""
        )
        overview.append(
            JobStatus(
                name=job.name,
                every_seconds=job.every_seconds,
                lease_seconds=job.lease_seconds,
                status=str(last["status"]) if last else "",
                at=when,
                failures=failures,
                last_error=error,
                is_overdue=overdue,
            )
        )
    return overview
