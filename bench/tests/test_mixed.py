"""The mixed load's page-cache counts are read right and reported with the ratings."""

from __future__ import annotations

from pathlib import Path

from bench.run import (
    TABLE_END,
    TABLE_START,
    evaluate,
    hit_share,
    mixed_markdown,
    parse_page_cache,
    parse_wrk,
    write_report,
)
from bench.tests.test_report import WRK_OUTPUT, report

STORIES_OUTPUT = WRK_OUTPUT + "page cache: 13000 hits, 240 misses, 10 unmarked\n"


def mixed_row(name: str, *, hits: int, sent: int = 0, ok: int = 0) -> dict[str, object]:
    counts = {"hits": hits, "misses": 100 - hits, "unmarked": 0}
    return {
        "name": name,
        "backend": "sqlite",
        "stories": 5074,
        "seconds": 15.0,
        "requests_per_second": 1234.5,
        "p50_ms": 10.0,
        "p99_ms": 80.0,
        "requests": 100,
        "non_success": 0,
        "socket_errors": 0,
        **counts,
        "hit_share": hit_share(counts),
        "warmed": 5074,
        "warm_failed": 0,
        "ratings_rate": 10.0 if sent else 0.0,
        "ratings_sent": sent,
        "ratings_ok": ok,
        "ratings_p99_ms": 40.0 if sent else None,
    }


def test_the_summed_page_cache_line_is_read_from_wrk_output() -> None:
    assert parse_page_cache(STORIES_OUTPUT) == {"hits": 13000, "misses": 240, "unmarked": 10}
    assert parse_wrk(STORIES_OUTPUT)["requests"] == 13250  # the rest still parses
    assert parse_page_cache(WRK_OUTPUT) is None  # a script that does not count


def test_the_hit_share_counts_every_answer() -> None:
    assert hit_share({"hits": 13000, "misses": 240, "unmarked": 10}) == round(13000 / 13250, 4)
    assert hit_share({"hits": 0, "misses": 0, "unmarked": 0}) is None
    assert hit_share(None) is None


def test_the_mixed_table_shows_reads_and_ratings() -> None:
    lines = mixed_markdown(
        [
            mixed_row("reads alone", hits=100),
            mixed_row("reads while members rate (10/s)", hits=97, sent=150, ok=149),
        ]
    )
    assert "all 5,074 stories" in lines[0]
    assert "| reads alone | 1,234.5 | 10.0 | 80.0 | 100.0% | – | – | 0 |" in lines
    assert (
        "| reads while members rate (10/s) | 1,234.5 | 10.0 | 80.0 | 97.0% | 150 / 149 | 40.0 | 0 |"
        in lines
    )
    assert mixed_markdown([]) == []


def test_the_report_writer_includes_the_mixed_table(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"
    document.write_text(f"# Prose\n\n{TABLE_START}\nold\n{TABLE_END}\n")
    data = report()
    data["backends"][0]["mixed"] = [mixed_row("reads alone", hits=100)]  # type: ignore[index]
    data["targets"] = evaluate(data)
    write_report(data, tmp_path / "latest.json", document)
    assert "| reads alone | 1,234.5 |" in document.read_text()
