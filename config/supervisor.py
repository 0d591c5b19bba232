"""A small supervisor for `make run`: the web server, a task worker and the scheduler.

Each child runs in its own process group. Ctrl-C (SIGINT) or SIGTERM stops every group it
started — first politely, then by force after a grace period — so no process is left behind.
A child that exits on its own is restarted, at most five times a minute.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

GRACE_SECONDS = 10
MAX_RESTARTS_PER_MINUTE = 5


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, start_new_session=True)
        print(f"[supervisor] started {self.name} (pid {self.process.pid})", flush=True)

    def signal_group(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def group_alive(self) -> bool:
        if self.process is None:
            return False
        self.process.poll()  # reap the leader first, or a zombie would count as alive
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True


def children(host: str, port: str, workers: str) -> list[Child]:
    python = sys.executable
    return [
        Child(
            "web",
            [
                python,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--workers",
                workers,
                # One blocking thread per worker: the default (hundreds) costs throughput
                # and tail latency on a small machine.
                "--blocking-threads",
                "1",
                "--backlog",
                "1024",
                "--host",
                host,
                "--port",
                port,
                "--no-access-log",
                "config.wsgi:application",
            ],
        ),
        Child("worker", [python, "manage.py", "db_worker", "--interval", "1", "--no-reload"]),
        Child("scheduler", [python, "manage.py", "run_scheduler"]),
    ]


def main() -> int:
    host = os.environ.get("GEMEINSAM_HOST", "127.0.0.1")
    port = os.environ.get("GEMEINSAM_PORT", "8000")
    workers = os.environ.get("GEMEINSAM_WEB_WORKERS", "2")
    team = children(host, port, workers)
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in team:
        child.start()
    print(f"[supervisor] serving http://{host}:{port}/ — press Ctrl-C to stop", flush=True)
    exit_code = 0
    while not stopping:
        time.sleep(0.5)
        for child in team:
            if child.process is not None and child.process.poll() is not None and not stopping:
                now = time.monotonic()
                child.restarts = [t for t in child.restarts if now - t < 60] + [now]
                if len(child.restarts) > MAX_RESTARTS_PER_MINUTE:
                    print(f"[supervisor] {child.name} keeps failing; stopping.", flush=True)
                    stopping, exit_code = True, 1
                    break
                print(
                    f"[supervisor] {child.name} exited ({child.process.returncode}); restarting",
                    flush=True,
                )
                child.start()
    print("[supervisor] stopping…", flush=True)
    for child in team:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline and any(child.group_alive() for child in team):
        time.sleep(0.2)
    for child in team:
        if child.group_alive():
            child.signal_group(signal.SIGKILL)
    for child in team:
        if child.process is not None:
            child.process.wait()
    print("[supervisor] all processes stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
