"""The scheduler enqueues due jobs when due, and only once while a run is queued."""

from __future__ import annotations

import pytest

from gemeinsam.core import scheduler


class RecordingTask:
    module_path = "tests.recording_task"

    def __init__(self) -> None:
        self.calls = 0

    def enqueue(self) -> None:
        self.calls += 1


@pytest.fixture
def job(monkeypatch: pytest.MonkeyPatch) -> RecordingTask:
    task = RecordingTask()
    monkeypatch.setattr(scheduler, "_jobs", {})
    scheduler.register_periodic_job("recording", task, every_seconds=10)
    return task


@pytest.mark.django_db
def test_jobs_run_when_due_and_not_before(job: RecordingTask) -> None:
    assert scheduler.run_due_jobs(now=100.0) == ["recording"]
    assert scheduler.run_due_jobs(now=105.0) == []
    assert scheduler.run_due_jobs(now=111.0) == ["recording"]
    assert job.calls == 2


@pytest.mark.django_db
def test_a_job_still_queued_is_not_enqueued_again(job: RecordingTask, monkeypatch) -> None:
    monkeypatch.setattr(scheduler, "_is_pending", lambda job: True)

    assert scheduler.run_due_jobs(now=100.0) == []
    assert job.calls == 0
