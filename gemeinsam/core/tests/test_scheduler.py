"""The scheduler enqueues due jobs when due, once while a run holds its lease, reclaims runs
whose worker died, and retries failed runs with a bounded backoff."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gemeinsam.core import scheduler

TASK_PATH = "tests.recording_task"


class RecordingTask:
    module_path = TASK_PATH

    def __init__(self) -> None:
        self.calls = 0

    def enqueue(self) -> None:
        self.calls += 1


@pytest.fixture
def job(monkeypatch: pytest.MonkeyPatch) -> RecordingTask:
    task = RecordingTask()
    monkeypatch.setattr(scheduler, "_jobs", {})
    scheduler.register_periodic_job("recording", task, every_seconds=10, lease_seconds=60)
    return task


def run_row(status: str, *, started_ago: float = 0, finished_ago: float | None = None, **kw):
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        task_path=TASK_PATH,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        started_at=now - timedelta(seconds=started_ago) if status != "READY" else None,
        finished_at=None if finished_ago is None else now - timedelta(seconds=finished_ago),
        worker_ids=["worker-that-died"] if status != "READY" else [],
        **kw,
    )


@pytest.mark.django_db
def test_jobs_run_when_due_and_not_before(job: RecordingTask) -> None:
    assert scheduler.run_due_jobs(now=100.0) == ["recording"]
    assert scheduler.run_due_jobs(now=105.0) == []
    assert scheduler.run_due_jobs(now=111.0) == ["recording"]
    assert job.calls == 2


@pytest.mark.django_db
def test_a_job_still_queued_is_not_enqueued_again(job: RecordingTask) -> None:
    run_row("READY")

    assert scheduler.run_due_jobs(now=100.0) == []
    assert job.calls == 0


@pytest.mark.django_db
def test_a_run_no_worker_picks_up_is_reported_once(
    job: RecordingTask, caplog: pytest.LogCaptureFixture
) -> None:
    DBTaskResult.objects.filter(pk=run_row("READY").pk).update(
        enqueued_at=timezone.now() - timedelta(seconds=61)
    )

    with caplog.at_level(logging.ERROR):
        assert scheduler.run_due_jobs(now=100.0) == []
        assert scheduler.run_due_jobs(now=111.0) == []

    [report] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "recording has waited 61 s for a worker" in report


@pytest.mark.django_db
def test_a_run_within_its_lease_counts_as_running(job: RecordingTask) -> None:
    run = run_row("RUNNING", started_ago=50)

    assert scheduler.run_due_jobs(now=100.0) == []
    run.refresh_from_db()
    assert run.status == "RUNNING"


@pytest.mark.django_db
def test_a_run_past_its_lease_is_reclaimed_and_the_job_runs_again(
    job: RecordingTask, caplog: pytest.LogCaptureFixture
) -> None:
    run = run_row("RUNNING", started_ago=61)

    with caplog.at_level(logging.ERROR):
        assert scheduler.run_due_jobs(now=100.0) == []  # reclaimed, then a first short backoff
        run.refresh_from_db()
        assert run.status == "FAILED"
        assert run.exception_class_path == scheduler.LEASE_EXPIRED
        assert "worker-that-died" in run.traceback
        DBTaskResult.objects.filter(pk=run.pk).update(
            finished_at=timezone.now() - timedelta(seconds=11)
        )
        assert scheduler.run_due_jobs(now=111.0) == ["recording"]

    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("recording" in m and "lease of 60 s" in m for m in messages)
    assert job.calls == 1


@pytest.mark.django_db
def test_a_run_lost_long_ago_is_replaced_at_once(job: RecordingTask) -> None:
    run_row("RUNNING", started_ago=100)  # lost when its lease ran out, 40 s ago

    assert scheduler.run_due_jobs(now=100.0) == ["recording"]


@pytest.mark.django_db
def test_a_failed_run_is_reported_and_retried_with_a_growing_bounded_backoff(
    job: RecordingTask, caplog: pytest.LogCaptureFixture
) -> None:
    run_row("FAILED", finished_ago=5, traceback="Traceback…\nValueError: feed is broken\n")

    with caplog.at_level(logging.ERROR):
        assert scheduler.run_due_jobs(now=100.0) == []  # 5 s after the failure: wait 10 s
        assert scheduler.run_due_jobs(now=110.0) == []  # reported once, not every tick
    [report] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "recording" in report
    assert "ValueError: feed is broken" in report
    assert "trying again in 10 s" in report

    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(seconds=10))
    assert scheduler.run_due_jobs(now=120.0) == ["recording"]

    recording = scheduler.registered_jobs()[0]
    assert [scheduler.retry_delay(recording, n) for n in (1, 2, 3, 6, 30)] == [
        10,
        20,
        40,
        300,
        300,
    ]
    hourly = scheduler.PeriodicJob(
        name="hourly", task=recording.task, every_seconds=3600, lease_seconds=600
    )
    assert [scheduler.retry_delay(hourly, n) for n in (1, 5, 7, 30)] == [30, 480, 1920, 3600]


@pytest.mark.django_db
def test_a_success_after_failures_resets_the_schedule(job: RecordingTask) -> None:
    run_row("FAILED", finished_ago=400)
    run_row("SUCCESSFUL", finished_ago=1)

    assert scheduler.run_due_jobs(now=100.0) == ["recording"]
    assert scheduler.run_due_jobs(now=105.0) == []


class BrokenTask(RecordingTask):
    module_path = "tests.broken_task"

    def enqueue(self) -> None:
        raise ValueError("cannot serialise the arguments")


@pytest.mark.django_db
def test_a_job_that_cannot_be_enqueued_does_not_hold_up_the_others(
    job: RecordingTask, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler._jobs = {"broken": scheduler._jobs["recording"]}  # the broken one comes first
    scheduler.register_periodic_job("broken", BrokenTask(), every_seconds=10)
    scheduler.register_periodic_job("recording", job, every_seconds=10)

    with caplog.at_level(logging.ERROR):
        assert scheduler.run_due_jobs(now=100.0) == ["recording"]

    assert any("broken" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


@pytest.mark.django_db
def test_old_finished_runs_are_pruned_keeping_the_latest(job: RecordingTask) -> None:
    day = 24 * 3600
    old = [run_row("SUCCESSFUL", started_ago=2 * day, finished_ago=2 * day) for _ in range(30)]
    run_row("FAILED", started_ago=2 * day, finished_ago=2 * day)
    waiting = run_row("READY")
    recent = run_row("SUCCESSFUL", finished_ago=60)

    deleted = scheduler.prune_finished_runs(scheduler.registered_jobs()[0])

    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert len(left) == scheduler.KEEP_RUNS
    assert {waiting.pk, recent.pk} <= left
    assert deleted == len(old) + 1 + 2 - scheduler.KEEP_RUNS


@pytest.mark.django_db
def test_the_scheduler_prunes_about_once_an_hour(job: RecordingTask) -> None:
    for _ in range(scheduler.KEEP_RUNS + 5):
        run_row("SUCCESSFUL", started_ago=2 * 24 * 3600, finished_ago=2 * 24 * 3600)

    scheduler.run_due_jobs(now=scheduler.PRUNE_EVERY_SECONDS + 1)

    assert DBTaskResult.objects.count() == scheduler.KEEP_RUNS
    assert job.calls == 1  # and the job was enqueued as usual
