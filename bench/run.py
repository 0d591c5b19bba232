"""The benchmark harness: ``make bench`` (or ``python -m bench.run``).

It seeds the large data set on SQLite and on PostgreSQL + Redis, serves Gemeinsam the way
production does (granian WSGI, two workers, one blocking thread each), and loads it with wrk
from a second process on 127.0.0.1. Baselines run in the same session: nginx serving the
rendered story as a file (the limit), a bare Django hello and a hello through our middleware
(the floor), and WordPress from Debian's packages serving the same story and comments (the
peer). A mixed load reads every seeded story while members rate random stories. Results go
to ``bench/results/latest.json`` and into the table in ``docs/performance.md``; ``--only
mixed`` runs the mixed load alone and writes ``bench/results/mixed.json``. Nothing here
asserts a time: it measures and reports.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "latest.json"
MIXED_RESULTS = BENCH / "results" / "mixed.json"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
TABLE_START = "<!-- bench:results:start -->"
TABLE_END = "<!-- bench:results:end -->"

APP_PORT, STATIC_PORT, EDGE_PORT, HELLO_PORT, WORDPRESS_PORT = 8101, 8102, 8103, 8104, 8105
RATING_MEMBERS = 2000
VIEW_CHECK_REQUESTS = 2000
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/gemeinsam_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
DEBIAN_PACKAGES = {"nginx": "nginx-light", "wrk": "wrk"}
# The mixed load: signed-in members rate random stories at this constant rate while
# anonymous readers go through every story.
MIXED_RATINGS_PER_SECOND = 10.0
WARM_WORKERS = 4

# The production server settings (config/supervisor.py uses the same).
GRANIAN = [
    "-m",
    "granian",
    "--interface",
    "wsgi",
    "--workers",
    "2",
    "--blocking-threads",
    "1",
    "--backlog",
    "1024",
    "--no-access-log",
]


@dataclass
class Load:
    warmup: float = 2.0
    seconds: float = 5.0
    runs: int = 3
    connections: int = 32


@dataclass
class Result:
    name: str
    backend: str
    url: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float | None
    requests: int
    non_success: int
    socket_errors: int
    runs: list[float] = field(default_factory=list)
    warmup_requests: int = 0
    note: str = ""


# ------------------------------------------------------------------------------ processes


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def ensure_packages() -> None:
    """Install nginx and wrk from Debian's packages where missing (as root)."""
    missing = [package for command, package in DEBIAN_PACKAGES.items() if not shutil.which(command)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"Install these Debian packages first (as root): {' '.join(missing)}")
    log(f"installing {' '.join(missing)}")
    environment = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=environment)
    subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, env=environment)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@contextlib.contextmanager
def serve(command: Sequence[str], environment: dict[str, str], ready_url: str) -> Iterator[int]:
    """Start ``command`` in its own process group; yield its pid; stop the group after."""
    process = subprocess.Popen(command, env=environment, cwd=ROOT, start_new_session=True)
    try:
        wait_for(ready_url)
        yield process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(children.get(current, []))
    return tree


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def worker_rss_mb(pid: int) -> float:
    """The largest resident memory among the server's worker processes, in MB."""
    largest = 0
    for member in process_tree(pid)[1:] or [pid]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
    return round(largest / 1024, 1)


# ----------------------------------------------------------------------------------- wrk


def _milliseconds(value: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s)", value)
    if found is None:
        return 0.0
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, load: Load, seconds: float, options: Sequence[str], script_arguments: Sequence[str]
) -> dict[str, Any]:
    command = [
        "wrk",
        "-t1",
        f"-c{load.connections}",
        f"-d{round(seconds)}s",
        "--timeout",
        "10s",
        "--latency",
        *options,
        url,
    ]
    if script_arguments:
        command += ["--", *script_arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output) | {"page_cache": parse_page_cache(output)}


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests, requests per second, p50/p99 in ms and failures from wrk's --latency report."""
    found = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": int(found.group(1)) if found else 0,
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": _milliseconds(latency.get("50", "0ms")),
        "p99": _milliseconds(latency.get("99", "0ms")),
        "non_success": int(non_success.group(1)) if non_success else 0,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def parse_page_cache(output: str) -> dict[str, int] | None:
    """The page-cache counts that ``stories.lua`` prints from ``done()``, or None."""
    found = re.search(r"page cache: (\d+) hits, (\d+) misses, (\d+) unmarked", output)
    if found is None:
        return None
    hits, misses, unmarked = (int(number) for number in found.groups())
    return {"hits": hits, "misses": misses, "unmarked": unmarked}


def hit_share(counts: dict[str, int] | None) -> float | None:
    """Hits as a share of all answers counted, or None when nothing was counted."""
    if not counts:
        return None
    total = counts["hits"] + counts["misses"] + counts["unmarked"]
    return round(counts["hits"] / total, 4) if total else None


def settle(pid: int | None, seconds: float = 15) -> None:
    """Wait until the server has worked off what the last run left queued (its CPU time
    stops growing), so that one path's backlog is not billed to the next."""
    if not pid:
        return
    deadline = time.monotonic() + seconds
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return
        last = now


def measure(
    name: str,
    backend: str,
    url: str,
    server_pid: int | None,
    load: Load,
    *,
    script: Sequence[str] = (),
    headers: Sequence[str] = (),
    note: str = "",
) -> Result:
    """Warm up, then ``load.runs`` timed runs; report the median run by requests per second."""
    options = [argument for header in headers for argument in ("-H", header)]
    if script:
        options += ["-s", script[0]]
    settle(server_pid)
    warmup = wrk(url, load, load.warmup, options, script[1:])
    runs = []
    for _ in range(load.runs):
        settle(server_pid)
        before = cpu_seconds(server_pid) if server_pid else 0.0
        run = wrk(url, load, load.seconds, options, script[1:])
        used = cpu_seconds(server_pid) - before if server_pid else 0.0
        run["cpu"] = used / run["requests"] * 1e6 if run["requests"] and server_pid else None
        runs.append(run)
    median = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
    result = Result(
        name=name,
        backend=backend,
        url=url,
        requests_per_second=round(median["rps"], 1),
        p50_ms=round(median["p50"], 2),
        p99_ms=round(median["p99"], 2),
        cpu_us_per_request=round(median["cpu"]) if median["cpu"] is not None else None,
        requests=sum(run["requests"] for run in runs),
        non_success=sum(run["non_success"] for run in runs),
        socket_errors=sum(run["errors"] for run in runs),
        runs=[round(run["rps"], 1) for run in runs],
        warmup_requests=warmup["requests"],
        note=note,
    )
    log(
        f"{backend:10} {name:38} {result.requests_per_second:>10,.1f} req/s "
        f"p50 {result.p50_ms} ms p99 {result.p99_ms} ms"
        + (f" ({result.non_success} non-2xx/3xx)" if result.non_success else "")
    )
    return result


# ------------------------------------------------------------------------------ backends


@dataclass
class Backend:
    name: str
    environment: dict[str, str]


def backends(work: Path, names: Sequence[str]) -> list[Backend]:
    base = {key: value for key, value in os.environ.items() if not key.startswith("GEMEINSAM_")} | {
        "GEMEINSAM_INSECURE_HTTP": "1",
        # Answers say whether the page cache served them (X-Cache: hit|miss).
        "GEMEINSAM_CACHE_STATUS_HEADER": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    found = []
    for name in names:
        environment = base | {"GEMEINSAM_DATA_DIR": str(work / name)}
        if name == "postgresql":
            environment |= {
                "GEMEINSAM_DATABASE_URL": POSTGRES_URL,
                "GEMEINSAM_REDIS_URL": REDIS_URL,
            }
        found.append(Backend(name, environment))
    return found


def manage(backend: Backend, *arguments: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=backend.environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def reset(backend: Backend) -> None:
    data = Path(backend.environment["GEMEINSAM_DATA_DIR"])
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if backend.name == "postgresql":
        import psycopg
        import redis

        with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
            db.execute("DROP DATABASE IF EXISTS gemeinsam_bench WITH (FORCE)")
            db.execute("CREATE DATABASE gemeinsam_bench")
        redis.Redis.from_url(REDIS_URL).flushdb()


def seed(backend: Backend, scale: str = "large") -> float:
    """Migrate, load the demo, then time the scale seed as its command reports it."""
    reset(backend)
    manage(backend, "migrate", "--noinput", "-v0")
    manage(backend, "collectstatic", "--noinput", "-v0")
    manage(backend, "seed_demo")
    log(f"{backend.name}: seeding the {scale} data set")
    output = manage(backend, "seed_demo", "--scale", scale)
    reported = re.search(r"added in ([\d.]+) s", output)
    if reported is None:
        sys.exit(f"seed_demo --scale {scale} did not say how long it took:\n{output}")
    seconds = float(reported.group(1))
    log(f"{backend.name}: {scale} seed took {seconds:.1f} s")
    return seconds


def fixtures(backend: Backend, work: Path) -> dict[str, Any]:
    out = work / f"{backend.name}-fixtures.json"
    subprocess.run(
        [sys.executable, "-m", "bench.fixtures", str(out), str(RATING_MEMBERS)],
        env=backend.environment,
        cwd=ROOT,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.read_text())
    sessions = work / f"{backend.name}-sessions.txt"
    sessions.write_text("".join(f"{m['session']} {m['csrf']}\n" for m in data["members"]))
    data["sessions_file"] = str(sessions)
    stories = work / f"{backend.name}-stories.txt"
    stories.write_text("".join(f"{story['url']}\n" for story in data["stories"]))
    data["stories_file"] = str(stories)
    return data


def rating_totals(backend: Backend, content_type_id: int, object_id: int) -> dict[str, int]:
    code = (
        "import json; from django.db.models import Count, Sum;"
        "from gemeinsam.ratings.models import Rating, RatingAggregate as A;"
        f"rows = Rating.objects.filter(content_type_id={content_type_id}, object_id={object_id});"
        "live = rows.aggregate(count=Count('id'), total=Sum('value'));"
        f"stored = A.objects.get(content_type_id={content_type_id}, object_id={object_id});"
        "print(json.dumps({'rows': live['count'], 'sum': live['total'],"
        " 'stored_count': stored.count, 'stored_total': stored.total}))"
    )
    output = manage(backend, "shell", "-c", code)
    totals: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return totals


def count_views(port: int, path: str, requests: int) -> int:
    """Ask for the pixel exactly ``requests`` times over one connection; all must succeed."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(requests):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"The counting pixel answered {response.status}.")
    connection.close()
    return requests


def counted_views(backend: Backend, content_type_id: int, object_id: int) -> int:
    manage(backend, "flush_view_counts", "--all")
    code = (
        "from django.db.models import Sum; from gemeinsam.analytics.models import DailyViews;"
        f"print(DailyViews.objects.filter(content_type_id={content_type_id},"
        f" object_id={object_id}).aggregate(n=Sum('count'))['n'] or 0)"
    )
    return int(manage(backend, "shell", "-c", code).strip().splitlines()[-1])


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    """GET ``url``; a 304 is an answer too (the feeds' conditional requests)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as error:
        if error.code != 304:
            raise
        return b"", dict(error.headers.items())


def render_nginx(work: Path) -> Path:
    text = (BENCH / "nginx.conf.in").read_text()
    for key, value in {
        "@WORK@": str(work / "nginx"),
        "@STATIC_PORT@": str(STATIC_PORT),
        "@EDGE_PORT@": str(EDGE_PORT),
        "@APP_PORT@": str(APP_PORT),
        # Workers run as the harness's own user, who owns the work directory.
        "@USER@": "user root;" if os.geteuid() == 0 else "",
    }.items():
        text = text.replace(key, value)
    (work / "nginx" / "static").mkdir(parents=True, exist_ok=True)
    config = work / "nginx" / "nginx.conf"
    config.write_text(text)
    return config


def granian(settings: str, port: int, environment: dict[str, str]) -> Any:
    command = [sys.executable, *GRANIAN, "--host", "127.0.0.1", "--port", str(port)]
    command.append("config.wsgi:application")
    ready = "/hello/" if settings.startswith("bench.") else "/en/"
    return serve(
        command,
        environment | {"DJANGO_SETTINGS_MODULE": settings},
        f"http://127.0.0.1:{port}{ready}",
    )


def bench_backend(backend: Backend, work: Path, load: Load, scale: str = "large") -> dict[str, Any]:
    """Every path of one backend, with its two hello floors measured in the same session."""
    seconds = seed(backend, scale)
    data = fixtures(backend, work)
    results: list[Result] = []
    name = backend.name

    for bare, label in (("1", "bare Django hello"), ("0", "hello through our middleware")):
        environment = backend.environment | {"BENCH_HELLO_BARE": bare}
        with granian("bench.hello_settings", HELLO_PORT, environment) as pid:
            url = f"http://127.0.0.1:{HELLO_PORT}/hello/"
            results.append(measure(label, name, url, pid, load))

    app = f"http://127.0.0.1:{APP_PORT}"
    reference = data["reference"]
    crowded = data["crowded"]
    member = data["members"][0]
    signed_in = f"Cookie: {data['session_cookie']}={member['session']}"
    memory = 0.0
    views: dict[str, Any] = {}
    with granian("config.settings", APP_PORT, backend.environment) as pid:
        story_html, _headers = fetch(app + reference["url"])
        static = work / "nginx" / "static" / "story" / "index.html"
        static.parent.mkdir(parents=True, exist_ok=True)
        static.write_bytes(story_html)
        nginx_command = ["nginx", "-g", "daemon off;", "-p", str(work / "nginx")]
        nginx_command += ["-c", str(render_nginx(work))]
        with serve(
            nginx_command, os.environ.copy(), f"http://127.0.0.1:{STATIC_PORT}/story/"
        ) as edge:
            results.append(
                measure(
                    "nginx static (the story as a file)",
                    name,
                    f"http://127.0.0.1:{STATIC_PORT}/story/",
                    edge,
                    load,
                    note=f"{len(story_html):,} bytes",
                )
            )
            fetch(f"http://127.0.0.1:{EDGE_PORT}{reference['url']}")
            results.append(
                measure(
                    "story, edge cache hit (nginx)",
                    name,
                    f"http://127.0.0.1:{EDGE_PORT}{reference['url']}",
                    edge,
                    load,
                )
            )
            pixel = re.search(rb'class="view-pixel" src="([^"]+)"', story_html)
            if pixel:
                pixel_path = pixel.group(1).decode()
                views["sent"] = count_views(EDGE_PORT, pixel_path, VIEW_CHECK_REQUESTS)
                results.append(
                    measure(
                        "view-counting pixel through the edge",
                        name,
                        f"http://127.0.0.1:{EDGE_PORT}{pixel_path}",
                        pid,
                        load,
                    )
                )
        cases: list[tuple[str, str, dict[str, Any]]] = [
            ("story, in-app cache hit", reference["url"], {}),
            ("story, cache miss", reference["url"], {"script": [str(BENCH / "miss.lua")]}),
            (
                "100,000 comments, first page (miss)",
                crowded["url"],
                {"script": [str(BENCH / "miss.lua")]},
            ),
            (
                "100,000 comments, deep page (miss)",
                crowded["comments_url"] + crowded["deep_query"],
                {"script": [str(BENCH / "miss.lua")]},
            ),
            ("story, signed in", reference["url"], {"headers": [signed_in]}),
            ("home feed, signed in", "/en/community/feed/", {"headers": [signed_in]}),
        ]
        for feed in ("rss", "atom", "json"):
            path = f"/en/feeds/{feed}/"
            _body, headers = fetch(app + path)
            cases.append((f"{feed} feed (200, page cache)", path, {}))
            validator = headers.get("ETag") or headers.get("etag")
            if validator:
                cases.append(
                    (f"{feed} feed (304)", path, {"headers": [f"If-None-Match: {validator}"]})
                )
        for label, path, options in cases:
            fetch(app + path, dict(h.split(": ", 1) for h in options.get("headers", [])))
            results.append(measure(label, name, app + path, pid, load, **options))
        before = rating_totals(backend, reference["content_type_id"], reference["object_id"])
        rate_url = f"{app}/en/ratings/{reference['content_type_id']}/{reference['object_id']}/"
        script = [
            str(BENCH / "rate.lua"),
            data["sessions_file"],
            data["session_cookie"],
            data["csrf_cookie"],
        ]
        results.append(measure("rating POST (htmx)", name, rate_url, pid, load, script=script))
        latency = latency_at_load(app_port=APP_PORT, data=data, results=results, pid=pid)
        memory = worker_rss_mb(pid)
        mixed = mixed_load(backend, data, APP_PORT, pid, load)
    after = rating_totals(backend, reference["content_type_id"], reference["object_id"])
    if views:
        pixel_row = next(r for r in results if r.name == "view-counting pixel through the edge")
        views["wrk_answered"] = pixel_row.requests + pixel_row.warmup_requests
        views["counted"] = counted_views(
            backend, reference["content_type_id"], reference["object_id"]
        )
        # Exact for the bounded check; wrk stops with up to one request per connection in
        # flight, which the server still counts.
        views["exact"] = (
            0
            <= views["counted"] - views["sent"] - views["wrk_answered"]
            <= ((load.runs + 1) * load.connections)
        )
    return {
        "backend": name,
        "scale": scale,
        "seed_seconds": seconds,
        "worker_rss_mb": memory,
        "ratings_before": before,
        "ratings_after": after,
        "ratings_exact": after["rows"] == after["stored_count"]
        and after["sum"] == after["stored_total"],
        "views": views,
        "latency_at_load": latency,
        "results": [asdict(result) for result in results],
        "mixed": [asdict(row) for row in mixed],
    }


SLO_SECONDS = 10


def latency_at_load(
    *, app_port: int, data: dict[str, Any], results: list[Result], pid: int
) -> list[dict[str, Any]]:
    """Latency below saturation, from a constant-rate load: the uncached story at 70% of
    its saturated throughput, the rating POST at half of its."""
    from bench.openloop import get_request, open_loop, post_request

    rows = {row.name: row for row in results}
    host = f"127.0.0.1:{app_port}"
    reference = data["reference"]
    measured = []
    miss = rows.get("story, cache miss")
    if miss and miss.requests_per_second > 0:
        settle(pid)
        rate = 0.7 * miss.requests_per_second
        stamp = int(time.time())
        result = open_loop(
            "127.0.0.1",
            app_port,
            lambda n: get_request(f"{reference['url']}?slo={stamp}-{n}", host),
            rate,
            SLO_SECONDS,
        )
        measured.append({"name": "story, cache miss at 70% of saturation", **asdict(result)})
        log(f"open loop: story miss at {rate:.0f}/s: p95 {result.p95_ms} ms")
    rating = rows.get("rating POST (htmx)")
    if rating and rating.requests_per_second > 0:
        settle(pid)
        rate = 0.5 * rating.requests_per_second
        members = data["members"]
        path = f"/en/ratings/{reference['content_type_id']}/{reference['object_id']}/"

        def rate_request(n: int) -> bytes:
            member = members[n % len(members)]
            cookie = f"{data['session_cookie']}={member['session']}; "
            cookie += f"{data['csrf_cookie']}={member['csrf']}"
            headers = {
                "Cookie": cookie,
                "X-CSRFToken": member["csrf"],
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
            }
            return post_request(path, host, headers, f"stars={n % 10 + 1}")

        result = open_loop("127.0.0.1", app_port, rate_request, rate, SLO_SECONDS)
        measured.append({"name": "rating POST at half of saturation", **asdict(result)})
        log(f"open loop: rating POST at {rate:.0f}/s: p99 {result.p99_ms} ms")
    return measured


# ---------------------------------------------------------------------------- mixed load


@dataclass
class MixedResult:
    name: str
    backend: str
    stories: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_success: int
    socket_errors: int
    hits: int
    misses: int
    unmarked: int
    hit_share: float | None
    warmed: int
    warm_failed: int
    ratings_rate: float = 0.0
    ratings_sent: int = 0
    ratings_ok: int = 0
    ratings_p99_ms: float | None = None


def warm(app: str, paths: Sequence[str]) -> tuple[int, int]:
    """One pass over ``paths`` (a few at a time) so the page cache holds each; returns
    (answered, failed)."""

    def one(path: str) -> bool:
        try:
            fetch(app + path)
        except (OSError, urllib.error.HTTPError):
            return False
        return True

    with ThreadPoolExecutor(WARM_WORKERS) as pool:
        answered = list(pool.map(one, paths))
    return sum(answered), answered.count(False)


def rating_requests(data: dict[str, Any], host: str, seed: int = 0) -> Any:
    """``build(n)`` for the open loop: member *n* (in turn) rates a random story."""
    members, stories = data["members"], data["stories"]
    chooser = random.Random(seed)
    targets = [chooser.randrange(len(stories)) for _ in range(100_000)]

    def build(n: int) -> bytes:
        from bench.openloop import post_request

        member, story = members[n % len(members)], stories[targets[n % len(targets)]]
        cookie = f"{data['session_cookie']}={member['session']}; "
        cookie += f"{data['csrf_cookie']}={member['csrf']}"
        headers = {
            "Cookie": cookie,
            "X-CSRFToken": member["csrf"],
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        }
        path = f"/en/ratings/{story['content_type_id']}/{story['object_id']}/"
        return post_request(path, host, headers, f"stars={n % 10 + 1}")

    return build


def mixed_load(
    backend: Backend, data: dict[str, Any], app_port: int, pid: int, load: Load
) -> list[MixedResult]:
    """Anonymous reads across every story, (a) alone and (b) while members rate random
    stories at a constant rate; the page cache is warmed the same way before each."""
    from bench.openloop import OpenLoopResult, open_loop

    app = f"http://127.0.0.1:{app_port}"
    paths = [story["url"] for story in data["stories"]]
    seconds = load.seconds * load.runs
    options = ["-s", str(BENCH / "stories.lua")]
    measured = []
    for name, rate in (
        ("reads alone", 0.0),
        (f"reads while members rate ({MIXED_RATINGS_PER_SECOND:g}/s)", MIXED_RATINGS_PER_SECOND),
    ):
        settle(pid)
        warmed, warm_failed = warm(app, paths)
        settle(pid)
        sender = ThreadPoolExecutor(1)
        ratings: Future[OpenLoopResult] | None = None
        if rate:
            build = rating_requests(data, f"127.0.0.1:{app_port}")
            ratings = sender.submit(open_loop, "127.0.0.1", app_port, build, rate, seconds)
        try:
            run = wrk(app + paths[0], load, seconds, options, [data["stories_file"]])
        finally:
            sender.shutdown(wait=True)
        counts = run["page_cache"] or {"hits": 0, "misses": 0, "unmarked": 0}
        result = MixedResult(
            name=name,
            backend=backend.name,
            stories=len(paths),
            seconds=seconds,
            requests_per_second=round(run["rps"], 1),
            p50_ms=round(run["p50"], 2),
            p99_ms=round(run["p99"], 2),
            requests=run["requests"],
            non_success=run["non_success"],
            socket_errors=run["errors"],
            hits=counts["hits"],
            misses=counts["misses"],
            unmarked=counts["unmarked"],
            hit_share=hit_share(counts),
            warmed=warmed,
            warm_failed=warm_failed,
        )
        if ratings is not None:
            sent = ratings.result()
            result.ratings_rate = sent.rate
            result.ratings_sent = sent.sent
            result.ratings_ok = sent.sent - sent.failed
            result.ratings_p99_ms = sent.p99_ms
        log(
            f"{backend.name:10} mixed, {name:34} {result.requests_per_second:>8,.1f} req/s "
            f"p99 {result.p99_ms} ms, page-cache hits {result.hit_share}"
            + (f", ratings {result.ratings_ok}/{result.ratings_sent} ok" if rate else "")
        )
        measured.append(result)
    return measured


def bench_mixed(backend: Backend, work: Path, load: Load, scale: str) -> dict[str, Any]:
    """The mixed load alone on a freshly seeded backend (``--only mixed``)."""
    seconds = seed(backend, scale)
    data = fixtures(backend, work)
    with granian("config.settings", APP_PORT, backend.environment) as pid:
        mixed = mixed_load(backend, data, APP_PORT, pid, load)
    return {
        "backend": backend.name,
        "scale": scale,
        "seed_seconds": seconds,
        "mixed": [asdict(row) for row in mixed],
    }


def bench_wordpress(work: Path, data: dict[str, Any], load: Load) -> list[Result]:
    from bench import wordpress

    wordpress.ensure_packages()
    reference = data["reference"]
    story = wordpress.WordPressStory(
        title=reference["title"],
        body_html=reference["body_html"],
        published_at=datetime.fromisoformat(reference["published_at"]),
        comments=[
            wordpress.WordPressComment(
                key=row["key"],
                parent_key=row["parent_key"],
                author_name=row["author_name"],
                body_text=row["body_text"],
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in reference["comments"]
        ],
    )
    site = wordpress.start_wordpress(work / "wordpress", WORDPRESS_PORT, story)
    try:
        pids = [process.pid for process in site.processes]
        php = pids[0]
        return [measure("WordPress, same story and comments", "mariadb", site.url, php, load)]
    finally:
        site.stop()


# --------------------------------------------------------------------------------- report

# (label, measured path, reference path, minimum ratio, backends it applies to)
TARGETS: list[tuple[str, str, str, float, tuple[str, ...]]] = [
    ("edge cache hit ≥ 0.7× nginx static", "story, edge cache hit (nginx)",
     "nginx static (the story as a file)", 0.7, ("sqlite", "postgresql")),
    ("in-app cache hit ≥ 0.9× middleware hello", "story, in-app cache hit",
     "hello through our middleware", 0.9, ("sqlite", "postgresql")),
    ("cache miss ≥ 1/60 of nginx static", "story, cache miss",
     "nginx static (the story as a file)", 1 / 60, ("sqlite", "postgresql")),
    ("signed-in story ≥ 1/20 of bare hello", "story, signed in",
     "bare Django hello", 1 / 20, ("sqlite", "postgresql")),
    ("home feed ≥ 1/20 of bare hello", "home feed, signed in",
     "bare Django hello", 1 / 20, ("sqlite", "postgresql")),
    ("rating POST ≥ 0.15× middleware hello (SQLite)", "rating POST (htmx)",
     "hello through our middleware", 0.15, ("sqlite",)),
    ("rating POST ≥ 0.25× middleware hello (PostgreSQL)", "rating POST (htmx)",
     "hello through our middleware", 0.25, ("postgresql",)),
    ("cache miss ≥ 20× WordPress", "story, cache miss",
     "WordPress, same story and comments", 20.0, ("sqlite", "postgresql")),
]  # fmt: skip


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    peers = {row["name"]: row for row in report.get("peers", [])}
    verdicts = []
    for section in report["backends"]:
        rows = {row["name"]: row for row in section["results"]} | peers
        for label, measured, reference, minimum, applies in TARGETS:
            if section["backend"] not in applies or measured not in rows or reference not in rows:
                continue
            ratio = rows[measured]["requests_per_second"] / max(
                rows[reference]["requests_per_second"], 0.001
            )
            verdicts.append(
                {"backend": section["backend"], "target": label, "ratio": round(ratio, 4),
                 "met": ratio >= minimum}
            )  # fmt: skip
        limit = 60 if section["backend"] == "sqlite" else 90
        if section.get("scale", "large") == "large":
            verdicts.append(
                {"backend": section["backend"], "target": f"large seed ≤ {limit} s",
                 "ratio": section["seed_seconds"], "met": section["seed_seconds"] <= limit}
            )  # fmt: skip
        verdicts.append(
            {"backend": section["backend"], "target": "worker memory ≤ 200 MB",
             "ratio": section["worker_rss_mb"], "met": section["worker_rss_mb"] <= 200}
        )  # fmt: skip
        for row in section.get("latency_at_load", []):
            if row["name"].startswith("story, cache miss"):
                label, value, limit = "uncached story p95 ≤ 100 ms at 70% load", row["p95_ms"], 100
            else:
                label, value, limit = "rating POST p99 ≤ 50 ms at half load", row["p99_ms"], 50
            verdicts.append(
                {"backend": section["backend"], "target": label,
                 "ratio": f"{value} ms ({row['failed']} failed)",
                 "met": value <= limit and row["failed"] == 0}
            )  # fmt: skip
        if section.get("views"):
            views = section["views"]
            verdicts.append(
                {"backend": section["backend"], "target": "every pixel request counted once",
                 "ratio": f"{views['counted']} counted of {views['sent']} + "
                          f"{views['wrk_answered']} answered",
                 "met": views["exact"]}
            )  # fmt: skip
        verdicts.append(
            {"backend": section["backend"], "target": "ratings neither lost nor doubled",
             "ratio": section["ratings_after"]["rows"], "met": section["ratings_exact"]}
        )  # fmt: skip
    return verdicts


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Measured {report['finished']} on {report['machine']['cpus']} CPUs "
        f"({report['machine']['processor']}), Python {report['machine']['python']}, "
        f"{report['versions']}. Load: `wrk -t1 -c{report['load']['connections']}`, "
        f"{report['load']['warmup']} s warm-up, median of {report['load']['runs']} × "
        f"{report['load']['seconds']} s. CPU = server CPU time per request.",
        "",
    ]
    for section in report["backends"]:
        rows = {row["name"]: row for row in section["results"]}
        static = rows.get("nginx static (the story as a file)", {}).get("requests_per_second")
        hello = rows.get("bare Django hello", {}).get("requests_per_second")
        lines += [
            f"**{section['backend']}** — {section.get('scale', 'large')} seed "
            f"{section['seed_seconds']:.1f} s, "
            f"largest worker {section['worker_rss_mb']} MB",
            "",
            "| Path | req/s | p50 ms | p99 ms | CPU µs/req | × nginx static | × bare hello "
            "| errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in [*section["results"], *report.get("peers", [])]:
            rps = row["requests_per_second"]
            lines.append(
                f"| {row['name']} | {rps:,.1f} | {row['p50_ms']} | {row['p99_ms']} | "
                f"{row['cpu_us_per_request'] if row['cpu_us_per_request'] is not None else '–'} | "
                f"{rps / static:.4f} | {rps / hello:.3f} | "
                f"{row['non_success'] + row['socket_errors']} |"
                if static and hello
                else f"| {row['name']} | {rps:,.1f} | {row['p50_ms']} | {row['p99_ms']} "
                "| – | – | – | – |"
            )
        lines.append("")
        if section.get("latency_at_load"):
            lines += [
                "Constant-rate load (open loop, latency counted from each request's due time):",
                "",
                "| Path | rate/s | sent | failed | p50 ms | p95 ms | p99 ms |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            for row in section["latency_at_load"]:
                lines.append(
                    f"| {row['name']} | {row['rate']} | {row['sent']} | {row['failed']} | "
                    f"{row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
                )
            lines.append("")
        if section.get("mixed"):
            lines += [*mixed_markdown(section["mixed"]), ""]
    lines += ["| Backend | Target | Measured | Met |", "|---|---|---:|---|"]
    for verdict in report["targets"]:
        lines.append(
            f"| {verdict['backend']} | {verdict['target']} | {verdict['ratio']} | "
            f"{'yes' if verdict['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def mixed_markdown(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The mixed load as a table: reads alone, then the same reads while members rate."""
    if not rows:
        return []
    first = rows[0]
    lines = [
        f"Mixed load: anonymous reads across all {first['stories']:,} stories "
        f"(`wrk -t1`, {first['seconds']:g} s each, page cache warmed by one pass first):",
        "",
        "| Reads | read req/s | p50 ms | p99 ms | page-cache hits | ratings sent / ok "
        "| rating p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        share = "–" if row["hit_share"] is None else f"{row['hit_share']:.1%}"
        sent = f"{row['ratings_sent']} / {row['ratings_ok']}" if row["ratings_sent"] else "–"
        rating_p99 = row["ratings_p99_ms"] if row["ratings_p99_ms"] is not None else "–"
        lines.append(
            f"| {row['name']} | {row['requests_per_second']:,.1f} | {row['p50_ms']} | "
            f"{row['p99_ms']} | {share} | {sent} | {rating_p99} | "
            f"{row['non_success'] + row['socket_errors']} |"
        )
    return lines


def write_report(
    report: dict[str, Any], results: Path = RESULTS, document_path: Path = PERFORMANCE_DOC
) -> None:
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=1) + "\n")
    document = document_path.read_text()
    start, end = document.index(TABLE_START), document.index(TABLE_END)
    document = (
        document[: start + len(TABLE_START)] + "\n" + markdown(report) + "\n" + document[end:]
    )
    document_path.write_text(document)
    log(f"wrote {results.name} and the results section of {document_path.name}")


def versions() -> str:
    found = []
    for command in (["nginx", "-v"], ["wrk", "-v"]):
        with contextlib.suppress(OSError):
            completed = subprocess.run(command, capture_output=True, text=True)
            text = (completed.stdout + completed.stderr).strip().splitlines()
            found.append(text[0] if text else command[0])
    from importlib.metadata import version

    found += [f"{name} {version(name)}" for name in ("django", "wagtail", "granian")]
    return ", ".join(found)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="One short run per path.")
    parser.add_argument("--no-wordpress", action="store_true")
    parser.add_argument(
        "--scale", default="large", choices=("large", "small"), help="The seed_demo scale."
    )
    parser.add_argument(
        "--only",
        choices=("mixed",),
        help="Run one scenario alone: 'mixed' seeds, reads every story alone and while "
        "members rate, and writes bench/results/mixed.json (the page is left as it is).",
    )
    options = parser.parse_args(argv)
    load = Load(warmup=1, seconds=3, runs=1) if options.quick else Load()
    ensure_packages()
    if options.only == "mixed":
        run_mixed(options.backends.split(","), load, options.scale)
        return
    started = time.monotonic()
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "versions": versions(),
        "load": asdict(load),
        "backends": [],
        "peers": [],
    }
    with tempfile.TemporaryDirectory(prefix="gemeinsam-bench-") as directory:
        work = Path(directory)
        data: dict[str, Any] = {}
        for backend in backends(work, options.backends.split(",")):
            report["backends"].append(bench_backend(backend, work, load, options.scale))
            data = json.loads((work / f"{backend.name}-fixtures.json").read_text())
        if not options.no_wordpress and data:
            report["peers"] = [asdict(row) for row in bench_wordpress(work, data, load)]
    report["finished"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    report["seconds"] = round(time.monotonic() - started)
    report["targets"] = evaluate(report)
    write_report(report)
    for verdict in report["targets"]:
        mark = "met   " if verdict["met"] else "MISSED"
        log(f"{mark} {verdict['backend']:10} {verdict['target']}: {verdict['ratio']}")


def run_mixed(names: Sequence[str], load: Load, scale: str, out: Path = MIXED_RESULTS) -> None:
    report: dict[str, Any] = {"versions": versions(), "load": asdict(load), "backends": []}
    with tempfile.TemporaryDirectory(prefix="gemeinsam-bench-") as directory:
        work = Path(directory)
        for backend in backends(work, names):
            report["backends"].append(bench_mixed(backend, work, load, scale))
    report["finished"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    for section in report["backends"]:
        print(f"\n**{section['backend']}** ({section['scale']} seed)\n")
        print("\n".join(mixed_markdown(section["mixed"])))
    log(f"wrote {out.name}")


if __name__ == "__main__":
    main()
