"""Fixed-window rate limits in the shared cache, so they hold across every worker process."""

from __future__ import annotations

import time

from django.core.cache import cache


class RateLimitedError(Exception):
    """Too many attempts; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def hit(key: str, *, limit: int, period: int) -> bool:
    """Count one attempt under ``key``; True while at most ``limit`` fell in this window."""
    window = int(time.time() // period)
    cache_key = f"ratelimit:{key}:{period}:{window}"
    if cache.add(cache_key, 1, period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, period + 1)
            count = 1
    return count <= limit


def check(key: str, *, limit: int, period: int, message: str) -> None:
    """Like :func:`hit`, but raise :class:`RateLimitedError` when over the limit."""
    if not hit(key, limit=limit, period=period):
        retry_after = period - int(time.time()) % period
        raise RateLimitedError(message, retry_after=retry_after)
