"""The harness reads wrk's report right and reports targets as met or missed."""

from __future__ import annotations

import json
from pathlib import Path

from bench.run import TABLE_END, TABLE_START, evaluate, parse_wrk, write_report

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8101/en/stories/a/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  48.00ms   90.00%
    Req/Sec     2.65k   100.00     2.90k    70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.00ms
     90%   15.00ms
     99%    1.20s
  13250 requests in 5.00s, 500.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   2650.00
Transfer/sec:    100.00MB
"""


def test_wrk_reports_are_parsed_with_their_units() -> None:
    parsed = parse_wrk(WRK_OUTPUT)
    assert parsed == {
        "requests": 13250,
        "rps": 2650.0,
        "p50": 11.5,
        "p99": 1200.0,
        "non_success": 4,
        "errors": 3,
    }
    assert parse_wrk("wrk could not connect")["rps"] == 0.0


def row(name: str, rps: float) -> dict[str, object]:
    return {
        "name": name,
        "requests_per_second": rps,
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "cpu_us_per_request": 100,
        "non_success": 0,
        "socket_errors": 0,
    }


def report() -> dict[str, object]:
    return {
        "finished": "now",
        "machine": {"cpus": 2, "processor": "test", "python": "3.11"},
        "versions": "test",
        "load": {"connections": 32, "warmup": 2, "runs": 3, "seconds": 5},
        "peers": [row("WordPress, same story and comments", 10.0)],
        "backends": [
            {
                "backend": "sqlite",
                "seed_seconds": 45.0,
                "worker_rss_mb": 150.0,
                "ratings_after": {"rows": 10},
                "ratings_exact": True,
                "results": [
                    row("nginx static (the story as a file)", 30000.0),
                    row("story, edge cache hit (nginx)", 24000.0),
                    row("bare Django hello", 8000.0),
                    row("hello through our middleware", 4000.0),
                    row("story, in-app cache hit", 3000.0),
                    row("story, cache miss", 250.0),
                ],
            }
        ],
    }


def test_targets_are_met_or_missed_by_their_ratio() -> None:
    verdicts = {v["target"]: v for v in evaluate(report())}
    assert verdicts["edge cache hit ≥ 0.7× nginx static"]["met"] is True
    assert verdicts["in-app cache hit ≥ 0.9× middleware hello"]["met"] is False
    assert verdicts["in-app cache hit ≥ 0.9× middleware hello"]["ratio"] == 0.75
    assert verdicts["cache miss ≥ 20× WordPress"]["met"] is True
    assert verdicts["cache miss ≥ 1/60 of nginx static"]["met"] is False
    assert verdicts["large seed ≤ 60 s"]["met"] is True
    assert "signed-in story ≥ 1/20 of bare hello" not in verdicts  # not measured, not judged


def test_the_report_replaces_only_the_results_section(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"
    document.write_text(f"# Prose\n\n{TABLE_START}\nold table\n{TABLE_END}\n\nMore prose.\n")
    data = report()
    data["targets"] = evaluate(data)
    write_report(data, tmp_path / "latest.json", document)
    text = document.read_text()
    assert text.startswith("# Prose")
    assert text.endswith("More prose.\n")
    assert "old table" not in text
    assert "| story, cache miss | 250.0 |" in text
    assert "| sqlite | cache miss ≥ 20× WordPress | 25.0 | yes |" in text
    assert json.loads((tmp_path / "latest.json").read_text())["backends"][0]["seed_seconds"] == 45
