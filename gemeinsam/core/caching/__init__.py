"""The public-content generation: one number that every anonymous cache entry is keyed on.

Publishing, unpublishing or lifting an embargo bumps it, so cached pages, feeds and sitemaps
all turn stale at once, in every process, without listing which ones.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from gemeinsam.core.cache import CacheUnavailableError

GENERATION_KEY = "gemeinsam:content-generation"
GENERATION_TTL = 60 * 60 * 24 * 30


def content_generation() -> str:
    """The current generation, "<counter>.<unix time of the last change>"; created if missing."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = f"{time.time_ns()}.{int(time.time())}"
        try:
            cache.add(GENERATION_KEY, value, GENERATION_TTL)
        except CacheUnavailableError:
            # Nothing can be served from a cache that cannot be reached: a generation of
            # its own keeps anything stored meanwhile from being taken for current.
            return value
        value = cache.get(GENERATION_KEY, value)
    return str(value)


def content_changed_at() -> int:
    """Unix time of the last public change, for Last-Modified headers."""
    return int(content_generation().split(".")[1])


def purge_public_content() -> None:
    """Make every cached anonymous page, feed and sitemap stale."""
    cache.set(GENERATION_KEY, f"{time.time_ns()}.{int(time.time())}", GENERATION_TTL)
