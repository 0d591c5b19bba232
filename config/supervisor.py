"""A small supervisor for `make run`: the web server, a task worker and the scheduler.

Each child runs in its own process group. A child that exits on its own is restarted with
an exponential backoff (1 s, 2 s, 4 s … at most 60 s; back to 1 s once it has run for a
minute), and the others keep running meanwhile: a worker that fails while the database is
away does not take the web server with it, and comes back when the database does. Every
exit is reported on stderr: which process, how it ended and when it is tried again. Ctrl-C
(SIGINT) or SIGTERM stops every group it started — first politely, then by force after a
grace period — so no process is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

GRACE_SECONDS = 10
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
STABLE_SECONDS = 60.0  # a child that ran this long before exiting starts over at the first delay


def say(message: str) -> None:
    print(f"[supervisor] {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def describe_exit(returncode: int) -> str:
    """How a process ended, for people: its exit code or the signal that killed it."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    retry_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, start_new_session=True)
        self.started_at = time.monotonic()
        self.retry_at = None
        print(f"[supervisor] started {self.name} (pid {self.process.pid})", flush=True)

    def signal_group(self, signum: int) -> None:
        if self.process is not None and self.group_alive():
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

    def exited(self) -> int | None:
        """The exit status if the child has ended and is not yet waiting for a restart."""
        if self.process is None or self.retry_at is not None:
            return None
        return self.process.poll()


class Supervisor:
    """Keeps a team of children running until stopped; see the module docstring."""

    def __init__(
        self,
        team: list[Child],
        *,
        first_delay: float = BACKOFF_FIRST_SECONDS,
        max_delay: float = BACKOFF_CAP_SECONDS,
        stable_after: float = STABLE_SECONDS,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.team = team
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.grace = grace
        self.stopping = False

    def stop(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        self.stopping = True

    def delay(self, failures: int) -> float:
        return float(min(self.first_delay * 2 ** max(failures - 1, 0), self.max_delay))

    def check(self, child: Child, now: float) -> None:
        """Schedule the restart of a child that has ended, or restart one that is due."""
        returncode = child.exited()
        if returncode is not None:
            ran = now - child.started_at
            child.failures = 1 if ran >= self.stable_after else child.failures + 1
            wait = self.delay(child.failures)
            child.retry_at = now + wait
            # What it left behind in its group (a server's workers, say) would hold its port.
            child.signal_group(signal.SIGKILL)
            pid = child.process.pid if child.process else "?"
            say(
                f"{child.name} (pid {pid}) {describe_exit(returncode)} after {ran:.1f} s; "
                f"restarting in {wait:g} s (failure {child.failures} in a row); "
                f"the other processes keep running."
            )
        elif child.retry_at is not None and now >= child.retry_at:
            self.start(child, now)

    def start(self, child: Child, now: float) -> None:
        """Start a child; one that cannot even be started is retried like one that exited."""
        try:
            child.start()
        except OSError as error:
            child.failures += 1
            wait = self.delay(child.failures)
            child.retry_at = now + wait
            say(f"{child.name} could not be started ({error}); trying again in {wait:g} s.")

    def run(self, *, tick: float = 0.2) -> int:
        """Start every child and keep them running until stopped; then stop them all."""
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        for child in self.team:
            self.start(child, time.monotonic())
        while not self.stopping:
            time.sleep(tick)
            for child in self.team:
                if not self.stopping:
                    self.check(child, time.monotonic())
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        print("[supervisor] stopping…", flush=True)
        for child in self.team:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline and any(child.group_alive() for child in self.team):
            time.sleep(0.2)
        for child in self.team:
            if child.group_alive():
                say(f"{child.name} did not stop within {self.grace:g} s; killing it.")
                child.signal_group(signal.SIGKILL)
        for child in self.team:
            if child.process is not None:
                child.process.wait()
        print("[supervisor] all processes stopped.", flush=True)


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
    supervisor = Supervisor(children(host, port, workers))
    print(f"[supervisor] serving http://{host}:{port}/ — press Ctrl-C to stop", flush=True)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
