"""The shared cache backends: the file cache without Redis, Redis when configured.

Both fail open for what is only an optimisation and closed for what guards something:

- a read that fails is a miss and a write that fails is dropped, so with the disk full or
  Redis unreachable every page still renders, uncached, and the log says why (at most once
  every few seconds per process);
- ``add``, ``incr`` and ``decr`` are what rate limits and locks are built from. When they
  fail they raise :class:`CacheUnavailableError`, which the site answers with a 503 and
  ``Retry-After``: a limit that cannot count must not wave everyone through.

The file cache's ``add`` and ``incr`` are atomic across processes (Django's are
check-then-write): a limit of ten attempts lets through ten, not ten per worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Iterator
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a broken cache raises: the file cache an OSError (disk full, read-only, I/O error),
# Redis a RedisError (refused, timed out, out of memory).
CACHE_FAULTS: tuple[type[BaseException], ...] = (OSError, RedisError)

REPORT_INTERVAL = 10.0


class CacheUnavailableError(Exception):
    """The shared cache could not count or lock; the request cannot be checked safely."""


class _FaultReport:
    """Logs a cache fault at most once every ``REPORT_INTERVAL`` seconds per process."""

    def __init__(self) -> None:
        self._last = float("-inf")
        self._suppressed = 0

    def __call__(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._last < REPORT_INTERVAL:
            self._suppressed += 1
            return
        self._last = now
        suppressed, self._suppressed = self._suppressed, 0
        logger.warning(
            "The cache is unavailable (%s failed: %s: %s); serving without it%s.",
            operation,
            type(error).__name__,
            error,
            f" ({suppressed} more failures since the last report)" if suppressed else "",
        )


_report = _FaultReport()


def report_cache_fault(operation: str, error: BaseException) -> None:
    """Log a fault of the shared cache met outside the backend (a raw Redis call), at most
    once every few seconds per process like the backend's own."""
    _report(operation, error)


class FailOpenMixin:
    """Turns cache faults into misses and dropped writes, and counter faults into
    :class:`CacheUnavailableError`. Mixed in before a Django cache backend.

    ``super()`` is that backend, which the type checker cannot see from the mixin: hence the
    ``type: ignore[misc]`` on each call."""

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        try:
            return super().get_many(keys, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("get_many", error)
            return {}

    def has_key(self, key: str, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("has_key", error)
            return False

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("set", error)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        try:
            return super().set_many(data, timeout, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("set_many", error)
            return list(data)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("touch", error)
            return False

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("delete_many", error)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("add", error)
            raise CacheUnavailableError(str(error)) from error

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)  # type: ignore[misc]
        except CACHE_FAULTS as error:
            _report("incr", error)
            raise CacheUnavailableError(str(error)) from error

    def decr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self.incr(key, -delta, version)


class RedisCache(FailOpenMixin, DjangoRedisCache):
    """Django's Redis cache, failing open for reads and writes (see the module docstring)."""


class FileCache(FailOpenMixin, FileBasedCache):
    """Django's file cache with atomic ``add``/``incr`` and culling at most once a minute.

    Django's version lists every file of the cache on every write to decide whether it holds
    too many. With thousands of cached pages that listing cost more than the rest of a
    rating request; the cache may now exceed ``MAX_ENTRIES`` by what one minute writes.

    ``add`` and ``incr`` hold an exclusive ``flock`` on one of a few lock files (chosen by
    the key) while they check and write, so concurrent processes cannot both add the same
    key or lose an increment. ``incr`` keeps the entry's expiry (Django's resets it to the
    default timeout, which shortens or stretches a rate-limit window).
    """

    CULL_INTERVAL = 60.0
    LOCK_STRIPES = 16
    _dir: str  # set by Django's __init__; django-stubs omits the private attribute

    def _entry_path(self, key: str, version: int | None) -> str:
        return str(self._key_to_file(key, version))  # type: ignore[attr-defined]

    def _cull(self) -> None:
        now = time.monotonic()
        if now - getattr(self, "_culled_at", float("-inf")) < self.CULL_INTERVAL:
            return
        self._culled_at = now
        super()._cull()  # type: ignore[misc]  # django-stubs omits this private method

    @contextlib.contextmanager
    def _locked(self, fname: str) -> Iterator[None]:
        stripe = int(hashlib.sha256(fname.encode()).hexdigest()[:8], 16) % self.LOCK_STRIPES
        self._createdir()  # type: ignore[attr-defined]  # the cache dir can vanish at any time
        fd = os.open(os.path.join(self._dir, f"lock-{stripe}"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        fname = self._entry_path(key, version)
        try:
            with self._locked(fname):
                if FileBasedCache.has_key(self, key, version):
                    return False
                FileBasedCache.set(self, key, value, timeout, version)
                return True
        except CACHE_FAULTS as error:
            _report("add", error)
            raise CacheUnavailableError(str(error)) from error

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        fname = self._entry_path(key, version)
        try:
            with self._locked(fname):
                try:
                    with open(fname, "rb") as f:
                        expiry = pickle.load(f)  # noqa: S301  # our own cache files
                        if expiry is not None and expiry < time.time():
                            raise ValueError(f"Key '{key}' not found")
                        value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301
                except FileNotFoundError:
                    raise ValueError(f"Key '{key}' not found") from None
                new_value = value + delta
                self._write_with_expiry(fname, expiry, new_value)
                return int(new_value)
        except CACHE_FAULTS as error:
            _report("incr", error)
            raise CacheUnavailableError(str(error)) from error

    def _write_with_expiry(self, fname: str, expiry: float | None, value: Any) -> None:
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            os.replace(tmp_path, fname)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp_path)
            raise
