"""A real worker killed in the middle of a periodic job does not stop that job for good."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

LEASE = 10.0


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMEINSAM_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "GEMEINSAM_DATA_DIR": str(data_dir),
        "GEMEINSAM_SECRET_KEY": "fault-test-" + "x" * 50,
        "GEMEINSAM_INSECURE_HTTP": "1",
    }
    return env


def _shell(env: dict[str, str], code: str) -> object:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = ["manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"]
    return subprocess.Popen(
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.1)
    return False


def test_a_run_left_behind_by_a_killed_worker_is_reclaimed_and_the_job_runs_again(
    tmp_path: Path,
) -> None:
    env = _environment(tmp_path)
    runs = tmp_path / "fault-runs"
    helpers = "from gemeinsam.core.tests import fault_tasks as f; import json; "
    log = tmp_path / "worker.log"
    enqueued = _shell(env, helpers + "f.create_queue(); print(json.dumps(f.tick(10.0)))")
    assert enqueued == ["blocking-test-job"]

    worker = _worker(env, log)
    try:
        assert _wait_for(runs / "first-started", 60), log.read_text()
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-task, as under the OOM killer
        worker.wait()
    killed_at = time.monotonic()

    # Within its lease the run still counts as running: nothing is enqueued twice.
    assert _shell(env, helpers + f"print(json.dumps(f.tick({LEASE})))") == []
    assert time.monotonic() - killed_at < LEASE, "the machine is too slow for this lease"
    assert _shell(env, helpers + "print(json.dumps(f.statuses()))") == ["RUNNING "]

    time.sleep(max(0.0, killed_at + LEASE - time.monotonic()))
    code = f"print(json.dumps(f.tick_until_enqueued({LEASE}, timeout=10)))"
    assert _shell(env, helpers + code) == ["blocking-test-job"]
    assert _shell(env, helpers + "print(json.dumps(f.statuses()))") == [
        "FAILED gemeinsam.core.scheduler.LeaseExpiredError",
        "READY ",
    ]

    worker = _worker(env, log)
    try:
        assert _wait_for(runs / "later-run-done", 60), log.read_text()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = _shell(env, helpers + "print(json.dumps(f.statuses()))")
            if done[-1] == "SUCCESSFUL ":
                break
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert done[-1] == "SUCCESSFUL "
