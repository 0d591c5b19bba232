"""`make run`'s supervisor keeps what works running, restarts a failing process with a
growing delay, says so on stderr, and leaves nothing behind after Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.supervisor import Supervisor, describe_exit

pytestmark = pytest.mark.slow

# The real supervisor's main(), with a small team instead of the whole site.
SCRIPT = """
import sys
import config.supervisor as supervisor
from config.supervisor import Child

py = sys.executable
team = [
    Child("steady", [py, "-c", "import time; time.sleep(300)"]),
    # Exits at once, leaving a process behind in its group.
    Child("failing", ["sh", "-c", "sleep 300 & exit 3"]),
    Child("crashing", [py, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]),
    Child("missing", ["/nonexistent/program"]),
]
supervisor.children = lambda *args: team
sys.exit(supervisor.main())
"""


def group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def started(stdout: str, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"started {name} \(pid (\d+)\)", stdout)]


def test_a_failing_process_is_restarted_with_backoff_while_the_others_keep_running(
    tmp_path: Path,
) -> None:
    out, err = tmp_path / "out", tmp_path / "err"
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        stdout=out.open("wb"),
        stderr=err.open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30  # failures at about 0, 1, 3 and 7 s
        while len(started(out.read_text(), "failing")) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
        assert run.poll() is None, err.read_text()
        steady = started(out.read_text(), "steady")
        assert len(steady) == 1  # never restarted, never stopped
        assert group_alive(steady[0])
        failing = started(out.read_text(), "failing")
        assert len(failing) == 4, err.read_text()
        assert not any(group_alive(pid) for pid in failing[:-1])  # leftovers killed too
        report = err.read_text()
        for attempt, delay in enumerate([1, 2, 4], start=1):
            assert re.search(
                rf"failing \(pid \d+\) exited with code 3 after [\d.]+ s; restarting in "
                rf"{delay} s \(failure {attempt} in a row\)",
                report,
            ), report
        assert "crashing (pid" in report
        assert "was killed by SIGKILL" in report
        assert "missing could not be started" in report
    finally:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C
        code = run.wait(timeout=30)
    everyone = [
        pid for name in ("steady", "failing", "crashing") for pid in started(out.read_text(), name)
    ]
    assert code == 0
    assert "all processes stopped" in out.read_text()
    assert not [pid for pid in everyone if group_alive(pid)]


def test_the_delay_doubles_up_to_its_cap() -> None:
    supervisor = Supervisor([], first_delay=1, max_delay=60)

    assert [supervisor.delay(n) for n in (1, 2, 3, 6, 7, 20)] == [1, 2, 4, 32, 60, 60]
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(2) == "exited with code 2"
