"""Caching of public content by scope: what each cached thing read, and what each write changed.

- :mod:`.scopes` — scopes, their versions, :func:`public_content_changed` for writes and
  :func:`reads` for whatever is built from public content;
- :mod:`.fragments` — fragments cached until a scope they read changes;
- :mod:`.http` — ETag and Last-Modified from scopes, answering revalidations without the
  database;
- :mod:`.pages` — the full-page cache for visitors without a session, and the
  ``Cache-Control`` that lets a CDN or nginx keep those pages for a short while;
- :mod:`.edge` — purging the CDN or nginx when scopes change (Wagtail's frontend cache).
"""

from __future__ import annotations

from gemeinsam.core.caching.fragments import cached_fragment
from gemeinsam.core.caching.http import conditional_output, public_etag
from gemeinsam.core.caching.scopes import (
    ANY,
    SITE,
    Scope,
    changed_at,
    collection_scope,
    invalidate,
    public_content_changed,
    reads,
    recording,
    reference_scope,
    target_scope,
    target_scope_for,
    versions,
)

__all__ = [
    "ANY",
    "SITE",
    "Scope",
    "cached_fragment",
    "changed_at",
    "collection_scope",
    "conditional_output",
    "invalidate",
    "public_content_changed",
    "public_etag",
    "reads",
    "recording",
    "reference_scope",
    "target_scope",
    "target_scope_for",
    "versions",
]
