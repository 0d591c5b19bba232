"""Cache scopes: what a cached page, fragment or validator was built from.

Every cached thing says which parts of the public content it read, as *scopes*:

- :data:`SITE` — the site as a whole: the page tree, menus, settings, what is published
  and under embargo. Publishing or unpublishing anything changes it.
- :func:`target_scope` — one object: a story and what members did with it (its comments,
  ratings, faves, shares). A rating on story A changes A's scope and nothing else.
- :func:`collection_scope` — a set that grows and shrinks: "the host's fans", "the
  discussions", later "contest 7's entries".

Each scope has a *version* in the shared cache, ``"<nanoseconds>.<unix time>"``, replaced
when the scope changes. A cache entry holds the versions of the scopes it read; it is
current while all of them are. A version that is missing (never set, or evicted) is created,
which makes every entry built on the lost one stale: the cache can forget, never lie.

A page that does not say precisely what it read depends on :data:`ANY`, which every change
replaces: that is how every page was cached before scopes, and stays the safe default for a
view nobody has looked at. Pages that declare their scopes (Wagtail pages, feeds, sitemaps,
discussions) stay cached through changes to other targets.

Writes call :func:`public_content_changed` with what they changed, inside their
transaction; the versions are replaced once it commits, and never if it rolls back.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import BaseCache, cache, caches
from django.db import models, transaction

from gemeinsam.core.cache import CacheUnavailableError

Scope = str

SITE: Scope = "site"
ANY: Scope = "any"
VERSION_PREFIX = "gemeinsam:scope:"
VERSION_TTL = 60 * 60 * 24 * 30


def target_scope(obj: models.Model) -> Scope:
    """The scope of one object. Multi-table children (a story is a page) share the scope of
    their root model, so the story and the page that loads it name the same scope."""
    return _model_scope(type(obj), obj.pk)


def target_scope_for(model: type[models.Model], pk: Any) -> Scope:
    """The scope of the object of ``model`` with ``pk``, without loading it."""
    return _model_scope(model, pk)


def reference_scope(content_type_id: int, object_id: Any) -> Scope:
    """The scope of the object a (content type id, object id) reference names, the way the
    engagement apps store their rows."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:
        return f"contenttype-{content_type_id}:{object_id}"
    return _model_scope(model, object_id)


def _model_scope(model: type[models.Model], pk: Any) -> Scope:
    parents = model._meta.get_parent_list()
    root = parents[-1] if parents else model
    return f"{root._meta.label_lower}:{pk}"


def collection_scope(name: str, *parts: object) -> Scope:
    """The scope of a collection, e.g. ``collection_scope("fans")`` or
    ``collection_scope("contest-entries", contest.pk)``."""
    return ":".join(("collection", name, *(str(part) for part in parts)))


def _store() -> BaseCache:
    """Where the versions live: the ``scopes`` cache, apart from the pages and fragments so
    that culling those never drops a version; the default cache if none is configured."""
    return caches["scopes"] if "scopes" in settings.CACHES else cache


def _new_version() -> str:
    return f"{time.time_ns()}.{int(time.time())}"


def _key(scope: Scope) -> str:
    return VERSION_PREFIX + scope


def versions(scopes: Iterable[Scope]) -> dict[Scope, str]:
    """The current version of each scope, in one multi-get; missing ones are created."""
    wanted = list(dict.fromkeys(scopes))
    if not wanted:
        return {}
    found = _store().get_many([_key(scope) for scope in wanted])
    result: dict[Scope, str] = {}
    for scope in wanted:
        value = found.get(_key(scope))
        if value is None:
            value = _create(scope)
        result[scope] = str(value)
    return result


def _create(scope: Scope) -> str:
    value = _new_version()
    try:
        if not _store().add(_key(scope), value, VERSION_TTL):
            return str(_store().get(_key(scope), value))
    except CacheUnavailableError:
        # Nothing can be served from a cache that cannot be reached: a version of its own
        # keeps anything stored meanwhile from being taken for current.
        pass
    return value


def is_current(stored: dict[Scope, str]) -> bool:
    """Whether every scope still has the version ``stored`` (one multi-get)."""
    if not stored:
        return False
    found = _store().get_many([_key(scope) for scope in stored])
    return all(found.get(_key(scope)) == version for scope, version in stored.items())


def changed_at(scope_versions: dict[Scope, str]) -> int:
    """Unix time of the latest change among these versions (for Last-Modified)."""
    return max((int(version.split(".")[1]) for version in scope_versions.values()), default=0)


def invalidate(*scopes: Scope) -> None:
    """Replace the versions of ``scopes`` (and of :data:`ANY`) now, in every process."""
    value = _new_version()
    _store().set_many({_key(scope): value for scope in {*scopes, ANY}}, VERSION_TTL)
    for listener in _listeners:
        listener(frozenset(scopes))


ChangeListener = Callable[[frozenset[Scope]], None]
_listeners: list[ChangeListener] = []


def on_scopes_changed(listener: ChangeListener) -> None:
    """Call ``listener(scopes)`` after scopes were invalidated (the edge cache purges)."""
    if listener not in _listeners:
        _listeners.append(listener)


def scopes_of(*targets: models.Model | Scope) -> tuple[Scope, ...]:
    """The scopes named by objects and scope names; the site when nothing is named."""
    if not targets:
        return (SITE,)
    return tuple(target if isinstance(target, str) else target_scope(target) for target in targets)


def public_content_changed(*targets: models.Model | Scope) -> None:
    """Say, inside the writing transaction, what a write changed: objects (their scopes) or
    scope names; nothing for the whole site. The versions are replaced after the commit."""
    scopes = scopes_of(*targets)
    transaction.on_commit(lambda: invalidate(*scopes))


# ------------------------------------------------------------------------- recording


@dataclass
class Reading:
    """The scopes one request has read so far, with the versions it read them at."""

    versions: dict[Scope, str] = field(default_factory=dict)
    # Whether the view said precisely what it read; if not, the entry depends on ANY.
    precise: bool = False
    # The version of ANY, read before the view runs (see :meth:`start`).
    any_version: str = ""

    def start(self) -> None:
        """Read the version of ANY before the view reads anything, so that a change while it
        renders makes the entry stale instead of stamping old content with the new version."""
        self.any_version = versions([ANY])[ANY]

    def stored_versions(self) -> dict[Scope, str]:
        if self.precise:
            return dict(self.versions)
        return self.versions | {ANY: self.any_version or versions([ANY])[ANY]}


_reading: contextvars.ContextVar[Reading | None] = contextvars.ContextVar(
    "gemeinsam_cache_reading", default=None
)


@contextmanager
def recording() -> Iterator[Reading]:
    """Collect the scopes read while the block runs (the page cache wraps each request)."""
    reading = Reading()
    token = _reading.set(reading)
    try:
        yield reading
    finally:
        _reading.reset(token)


def reads(*scopes: Scope, precise: bool = False) -> dict[Scope, str]:
    """Declare that what is being built reads ``scopes``; returns their versions, read
    before the data is (so a change meanwhile makes the result stale, not the change lost).

    ``precise=True`` says the caller knows everything the page reads: its cache entry then
    depends on the declared scopes only, not on every change of the site."""
    reading = _reading.get()
    if reading is None:
        return versions(scopes)
    if precise:
        reading.precise = True
    missing = [scope for scope in scopes if scope not in reading.versions]
    if missing:
        reading.versions.update(versions(missing))
    return {scope: reading.versions[scope] for scope in scopes}
