"""Fragments cached in the shared cache until a scope they read changes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache

from gemeinsam.core.caching.scopes import SITE, Scope, reads

T = TypeVar("T")
_MISSING = object()


def cached_fragment(
    family: str,
    scopes: Iterable[Scope],
    parts: Iterable[str],
    build: Callable[[], T],
    *,
    timeout: int = 300,
) -> T:
    """``build()``'s result, cached under ``family`` while ``scopes`` keep their versions.

    ``parts`` name everything else the result depends on (language, host, viewer kind).
    Every fragment reads the site too: a change there (a member's name, a member erased)
    may show anywhere. The scopes are declared to the request being cached, so a page that
    shows the fragment turns stale with it."""
    scopes = list(dict.fromkeys((SITE, *scopes)))
    scope_versions = reads(*scopes)
    raw = "|".join((*(f"{scope}={scope_versions[scope]}" for scope in scopes), *parts))
    key = f"{family}:{hashlib.sha256(raw.encode()).hexdigest()}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout)
    return value
