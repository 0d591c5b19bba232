"""The file cache culls old entries, but not on every write, and counts atomically."""

from __future__ import annotations

import multiprocessing
import pickle
import time
from pathlib import Path
from typing import Any

from gemeinsam.core.cache import FileCache


def test_culling_runs_at_most_once_per_interval(tmp_path: Path, monkeypatch: Any) -> None:
    clock = [1000.0]
    monkeypatch.setattr("gemeinsam.core.cache.time.monotonic", lambda: clock[0])
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 4, "CULL_FREQUENCY": 2}})
    for number in range(10):
        cache.set(f"key-{number}", number)
    assert len(list(tmp_path.glob("*.djcache"))) == 10  # no listing of the files meanwhile
    clock[0] += FileCache.CULL_INTERVAL + 1
    cache.set("one-more", 1)
    assert len(list(tmp_path.glob("*.djcache"))) <= 6
    assert cache.get("one-more") == 1


def _count_up(location: str, times: int) -> None:
    cache = FileCache(location, {})
    for _ in range(times):
        cache.incr("counter")


def _add_each(location: str, keys: int, queue: Any) -> None:
    cache = FileCache(location, {})
    queue.put(sum(cache.add(f"key-{number}", "mine", 60) for number in range(keys)))


def test_increments_from_concurrent_processes_are_all_counted(tmp_path: Path) -> None:
    """A limit of ten attempts must let through ten, however many workers count them."""
    FileCache(str(tmp_path), {}).set("counter", 0, 600)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_count_up, args=(str(tmp_path), 150)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert FileCache(str(tmp_path), {}).get("counter") == 600


def test_only_one_of_concurrent_processes_adds_a_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_add_each, args=(str(tmp_path), 100, queue)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    added = sum(queue.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(60)
    assert added == 100


def test_an_increment_keeps_the_expiry_of_the_window(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {})
    cache.set("window", 1, 3600)
    cache.incr("window")
    with open(cache._key_to_file("window"), "rb") as entry:
        expiry = pickle.load(entry)  # noqa: S301  # our own test file
    assert expiry > time.time() + 3000
    assert cache.get("window") == 2
