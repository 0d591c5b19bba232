"""Counting views exactly, whoever serves the page.

A page may come from the edge cache, the in-app page cache or a fresh render, so the page
itself cannot count. Every story page carries a one-pixel image whose address is never cached
(``Cache-Control: no-store``); each request for it is one view. Recording a view writes no
database row: with Redis configured it is one ``HINCRBY`` on a shared hash; without, one line
appended to a per-process spool file named after the current minute. A scheduled job moves
the counts into :class:`DailyViews` once a minute:

* Redis: the pending hash is renamed atomically before it is read, so views recorded during
  the flush go to a fresh hash and none is lost or counted twice.
* Spool files: only files of minutes that have ended are read (no process writes to them any
  more), each renamed before reading.

A crash between the database commit and deleting what was read can count that batch twice;
one between reading and the commit loses nothing (the batch is read again next time).
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from gemeinsam.analytics.models import DailyViews

PENDING_KEY = "views:pending"
FLUSHING_KEY = "views:flushing:"
SPOOL_SUFFIX = ".views"
FLUSHING_SUFFIX = ".flushing"

Key = tuple[int, int, date]


def _redis() -> Any:
    """The Redis client behind the default cache, or None when the cache is not Redis."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return None
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def _prefixed(key: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:{key}" if prefix else key


def spool_directory() -> Path:
    return Path(settings.DATA_DIR) / "views"


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M")


# The largest ids the database columns hold; anything beyond is someone typing addresses.
MAX_CONTENT_TYPE_ID = 2**31 - 1
MAX_OBJECT_ID = 2**63 - 1


def _in_range(content_type_id: int, object_id: int) -> bool:
    return 0 < content_type_id <= MAX_CONTENT_TYPE_ID and 0 < object_id <= MAX_OBJECT_ID


def record_view(content_type_id: int, object_id: int, *, now: datetime | None = None) -> None:
    """Count one view of an item; costs no database query. Ids no column could hold are
    not counted, so one made-up address cannot stop a whole batch from being stored."""
    if not _in_range(content_type_id, object_id):
        return
    moment = now or datetime.now(UTC)
    field = f"{content_type_id}:{object_id}:{moment.date().isoformat()}"
    client = _redis()
    if client is not None:
        client.hincrby(_prefixed(PENDING_KEY), field, 1)
        return
    directory = spool_directory()
    path = directory / f"{_minute(moment)}-{os.getpid()}{SPOOL_SUFFIX}"
    line = (field + "\n").encode()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line)  # one write of a short line with O_APPEND: never interleaved
    finally:
        os.close(descriptor)


def _parse(field: str) -> Key | None:
    try:
        content_type_id, object_id, day = field.strip().split(":")
        key = int(content_type_id), int(object_id), date.fromisoformat(day)
    except ValueError:
        return None
    return key if _in_range(key[0], key[1]) else None


def _apply(counts: Counter[Key]) -> int:
    """Add ``counts`` to the stored daily totals; returns the number of views added."""
    from django.contrib.contenttypes.models import ContentType

    known_types = set(ContentType.objects.values_list("pk", flat=True))
    added = 0
    with transaction.atomic():
        for (content_type_id, object_id, day), count in sorted(counts.items()):
            if content_type_id not in known_types or count <= 0:
                continue
            updated = DailyViews.objects.filter(
                content_type_id=content_type_id, object_id=object_id, day=day
            ).update(count=F("count") + count)
            if not updated:
                row, created = DailyViews.objects.select_for_update().get_or_create(
                    content_type_id=content_type_id,
                    object_id=object_id,
                    day=day,
                    defaults={"count": count},
                )
                if not created:
                    DailyViews.objects.filter(pk=row.pk).update(count=F("count") + count)
            added += count
    return added


def _flush_redis(client: Any) -> int:
    pending = _prefixed(PENDING_KEY)
    # SCAN, not KEYS: KEYS blocks Redis while it walks every key of a busy cache.
    leftovers = [key.decode() for key in client.scan_iter(match=_prefixed(FLUSHING_KEY) + "*")]
    claimed = _prefixed(FLUSHING_KEY + uuid.uuid4().hex)
    try:
        client.rename(pending, claimed)
        leftovers.append(claimed)
    except Exception as error:
        if "no such key" not in str(error).lower():
            raise
    added = 0
    for key in leftovers:
        counts: Counter[Key] = Counter()
        for field, value in client.hgetall(key).items():
            parsed = _parse(field.decode())
            if parsed is not None:
                counts[parsed] += int(value)
        added += _apply(counts)
        client.delete(key)
    return added


def _flush_spool(*, include_current: bool, now: datetime | None) -> int:
    directory = spool_directory()
    if not directory.is_dir():
        return 0
    current = _minute(now or datetime.now(UTC))
    claimed = list(directory.glob(f"*{FLUSHING_SUFFIX}"))
    for path in directory.glob(f"*{SPOOL_SUFFIX}"):
        if include_current or path.name.split("-", 1)[0] < current:
            target = path.with_suffix(FLUSHING_SUFFIX)
            path.rename(target)
            claimed.append(target)
    added = 0
    for path in claimed:
        counts: Counter[Key] = Counter()
        for line in path.read_text().splitlines():
            parsed = _parse(line)
            if parsed is not None:
                counts[parsed] += 1
        added += _apply(counts)
        path.unlink()
    return added


def flush_views(*, include_current: bool = False, now: datetime | None = None) -> int:
    """Move recorded views into :class:`DailyViews`; returns how many were added.

    ``include_current`` also reads the spool files of the running minute: only safe when no
    web process is writing (tests, benchmarks, a stopped site).
    """
    client = _redis()
    if client is not None:
        return _flush_redis(client)
    return _flush_spool(include_current=include_current, now=now)
