"""The file cache used when no Redis is configured."""

from __future__ import annotations

import time

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    """Django's file cache, culling at most once a minute per process.

    Django's version lists every file of the cache on every write to decide whether it holds
    too many. With thousands of cached pages that listing cost more than the rest of a
    rating request; the cache may now exceed ``MAX_ENTRIES`` by what one minute writes.
    """

    CULL_INTERVAL = 60.0

    def _cull(self) -> None:
        now = time.monotonic()
        if now - getattr(self, "_culled_at", float("-inf")) < self.CULL_INTERVAL:
            return
        self._culled_at = now
        super()._cull()  # type: ignore[misc]  # django-stubs omits this private method
