"""The file cache culls old entries, but not on every write."""

from __future__ import annotations

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
