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

Only views of items the public may see are stored: the pixel's address is signed (see
:func:`pixel_signature`), so made-up addresses are answered but not recorded, and when the
counts are moved each id is checked against its kind's public items (one query per kind and
batch), so a draft, an embargoed release or a deleted story gets no row. The counts are
committed in batches of :data:`BATCH_SIZE` items, each batch taken off what is pending once
it is stored, so no transaction holds the database's write lock for long.

A crash between a batch's commit and taking it off can count that batch twice; one between
reading and the commit loses nothing (the batch is read again next time).
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils.crypto import constant_time_compare, salted_hmac
from redis.exceptions import RedisError

from gemeinsam.analytics.models import DailyViews
from gemeinsam.core.cache import report_cache_fault
from gemeinsam.core.engagement import UnregisteredKindError, kind_of, model_for

PENDING_KEY = "views:pending"
FLUSHING_KEY = "views:flushing:"
SPOOL_SUFFIX = ".views"
FLUSHING_SUFFIX = ".flushing"

# Items per transaction when counts are moved into the database.
BATCH_SIZE = 500

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


def pixel_signature(content_type_id: int, object_id: int) -> str:
    """The signature the pixel's address carries, so only addresses our pages hand out
    are counted; derived from the secret key, the same in every process."""
    message = f"{content_type_id}:{object_id}"
    return salted_hmac("gemeinsam.analytics.pixel", message, algorithm="sha256").hexdigest()[:20]


def is_signed(content_type_id: int, object_id: int, signature: str) -> bool:
    return constant_time_compare(pixel_signature(content_type_id, object_id), signature)


def record_view(content_type_id: int, object_id: int, *, now: datetime | None = None) -> None:
    """Count one view of an item; costs no database query. Ids no column could hold are
    not counted, so one made-up address cannot stop a whole batch from being stored."""
    if not _in_range(content_type_id, object_id):
        return
    moment = now or datetime.now(UTC)
    field = f"{content_type_id}:{object_id}:{moment.date().isoformat()}"
    client = _redis()
    if client is not None:
        try:
            client.hincrby(_prefixed(PENDING_KEY), field, 1)
            return
        except RedisError as error:
            # Redis is down: keep the view in a spool file, which the flush also reads.
            report_cache_fault("hincrby", error)
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


def _parse(field: str) -> tuple[Key, int] | None:
    """A recorded key and its count: a spool line is ``ct:id:day`` (one view) or, when a
    partly stored file was written back, ``ct:id:day:count``."""
    try:
        content_type_id, object_id, day, *rest = field.strip().split(":")
        key = int(content_type_id), int(object_id), date.fromisoformat(day)
        count = int(rest[0]) if len(rest) == 1 else 1
    except (ValueError, IndexError):
        return None
    if len(rest) > 1 or count <= 0 or not _in_range(key[0], key[1]):
        return None
    return key, count


def _public_items(keys: Iterable[Key]) -> set[tuple[int, int]]:
    """The (content type, id) pairs among ``keys`` that name an item the public may see
    now; one query per kind of item. Unknown kinds are left out."""
    wanted: dict[int, set[int]] = {}
    for content_type_id, object_id, _day in keys:
        wanted.setdefault(content_type_id, set()).add(object_id)
    public: set[tuple[int, int]] = set()
    for content_type_id, ids in wanted.items():
        try:
            model = model_for(content_type_id)
        except UnregisteredKindError:
            continue
        found = (
            model._default_manager.filter(pk__in=ids)
            .filter(pk__in=kind_of(model).public_queryset().values("pk"))
            .values_list("pk", flat=True)
        )
        public.update((content_type_id, int(pk)) for pk in found)
    return public


def _apply(counts: Counter[Key], *, stored: Callable[[list[Key]], None]) -> int:
    """Add ``counts`` of public items to the stored daily totals, one transaction per
    :data:`BATCH_SIZE` keys, calling ``stored`` with each batch's keys (public or dropped)
    after its commit; returns the number of views added."""
    keys = sorted(key for key, count in counts.items() if count > 0)
    added = 0
    for start in range(0, len(keys), BATCH_SIZE):
        batch = keys[start : start + BATCH_SIZE]
        public = _public_items(batch)
        with transaction.atomic():
            for content_type_id, object_id, day in batch:
                if (content_type_id, object_id) not in public:
                    continue
                count = counts[(content_type_id, object_id, day)]
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
        stored(batch)
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
        fields: dict[Key, list[bytes]] = {}
        for field, value in client.hgetall(key).items():
            parsed = _parse(field.decode())
            if parsed is not None:
                counts[parsed[0]] += int(value)
                fields.setdefault(parsed[0], []).append(field)

        def take_off(
            batch: list[Key], key: str = key, fields: dict[Key, list[bytes]] = fields
        ) -> None:
            client.hdel(key, *(field for item in batch for field in fields[item]))

        added += _apply(counts, stored=take_off)
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
                counts[parsed[0]] += parsed[1]
        pending = {key for key, count in counts.items() if count > 0}

        def take_off(
            batch: list[Key],
            path: Path = path,
            pending: set[Key] = pending,
            counts: Counter[Key] = counts,
        ) -> None:
            pending.difference_update(batch)
            if pending:  # write back what is left, so a crash cannot store a batch twice
                _write_back(path, {key: counts[key] for key in pending})

        added += _apply(counts, stored=take_off)
        path.unlink()
    return added


def _write_back(path: Path, counts: dict[Key, int]) -> None:
    """Replace a claimed spool file by the counts still to be stored, atomically."""
    partial = path.with_name(path.name + ".tmp")
    lines = "".join(
        f"{ct}:{oid}:{day.isoformat()}:{count}\n"
        for (ct, oid, day), count in sorted(counts.items())
    )
    partial.write_text(lines)
    os.replace(partial, path)


def flush_views(*, include_current: bool = False, now: datetime | None = None) -> int:
    """Move recorded views into :class:`DailyViews`; returns how many were added.

    ``include_current`` also reads the spool files of the running minute: only safe when no
    web process is writing (tests, benchmarks, a stopped site).
    """
    client = _redis()
    added = 0
    if client is not None:
        try:
            added = _flush_redis(client)
        except RedisError as error:
            report_cache_fault("flush", error)
    # Spool files also hold what was counted while Redis was unreachable.
    return added + _flush_spool(include_current=include_current, now=now)
