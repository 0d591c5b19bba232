"""Full-page cache for anonymous readers, and the Cache-Control that lets the edge keep pages.

An entry holds the response and the versions of the scopes the view read
(:mod:`gemeinsam.core.caching.scopes`); a hit is served while one multi-get finds them all
unchanged. The key holds everything else the response depends on for a visitor without a
session: method, scheme, host, path and query, and the request headers views vary on.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from gemeinsam.core.caching.scopes import Reading, Scope, is_current, recording

UNCACHED_PREFIXES = ("/admin/", "/django-admin/", "/accounts/", "/media/", "/static/", "/count/")
CACHEABLE_STATUS = {200, 301, 404}
# Request headers that views may answer differently on, and that the key therefore holds.
# A response that varies on any other header (``Vary``) is not stored.
KEYED_HEADERS = ("HX-Request",)
# ``Cookie``: only visitors without a session are served from the cache, and a page that
# depends on another cookie (the CSRF token) sets it again, which keeps it out of the cache.
HONOURED_VARY = {"cookie", *(header.lower() for header in KEYED_HEADERS)}


def _is_uncached_path(path: str) -> bool:
    # Account pages live under the language prefix: /en/accounts/...
    tail = path.split("/", 2)[-1] if path.count("/") > 1 else path
    return path.startswith(UNCACHED_PREFIXES) or ("/" + tail).startswith(UNCACHED_PREFIXES)


class LocalPages:
    """The most recently served pages of this process, in front of the shared cache.

    A hit here saves reading and unpickling the page from the shared cache. It cannot serve a
    stale page: the versions of the entry's scopes are read from the shared cache on every
    request, so a change in any process misses here at once.
    """

    SIZE = 256

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, entry: Any, seconds: int) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, entry)
            self._entries.move_to_end(key)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


class Entry(NamedTuple):
    versions: dict[Scope, str]
    status: int
    headers: list[tuple[str, str]]
    content: bytes


STATUS_HEADER = "X-Cache"


class AnonymousPageCacheMiddleware:
    """Serve and store whole responses for visitors without a session.

    A visitor with a session cookie (signed in, or after submitting a form) always gets a
    fresh page. Responses that set a cookie, vary on a header the key does not hold, or say
    ``private``/``no-store`` are never stored. Stored pages get a ``Cache-Control`` that a
    CDN or nginx may honour for a few seconds (``EDGE_CACHE_SECONDS``); a response that
    sets a cookie or is personal to a session is marked ``private`` instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._local = LocalPages()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with recording() as reading:
            response = self._serve(request, reading)
        _mark_personal_responses_private(request, response)
        return response

    def _serve(self, request: HttpRequest, reading: Reading) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds and "HTTP_IF_NONE_MATCH" in request.META:
            return self._conditional(request, seconds)
        if not seconds or not self._is_cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cached = self._cached(key, seconds)
        if cached is not None:
            response = HttpResponse(cached.content, status=cached.status)
            for name, value in cached.headers:
                response[name] = value
            _status(response, "hit")
            return response
        reading.start()
        response = self.get_response(request)
        if self._is_cacheable_response(response):
            _add_edge_cache_control(response)
            headers = [(k, v) for k, v in response.items() if k.lower() != STATUS_HEADER.lower()]
            entry = Entry(
                reading.stored_versions(), response.status_code, headers, response.content
            )
            cache.set(key, entry, seconds)
            self._local.put(key, entry, seconds)
            _status(response, "miss")
        return response

    def _cached(self, key: str, seconds: int) -> Entry | None:
        """The stored entry for ``key`` if all its scopes are unchanged."""
        cached = self._local.get(key)
        if cached is None:
            cached = cache.get(key)
            if not isinstance(cached, Entry):
                return None
            self._local.put(key, cached, seconds)
        return cached if is_current(cached.versions) else None

    def _conditional(self, request: HttpRequest, seconds: int) -> HttpResponse:
        """A revalidation (a feed reader's If-None-Match): answered with 304 from the cached
        page when its ETag matches, without running the view; otherwise by the view."""
        if not self._is_cacheable_request(request, conditional=True):
            return self.get_response(request)
        cached = self._cached(self._key(request), seconds)
        if cached is not None:
            kept = {name.lower(): (name, value) for name, value in cached.headers}
            etag = kept.get("etag", ("", ""))[1]
            wanted = parse_etags(request.META["HTTP_IF_NONE_MATCH"])
            if cached.status == 200 and etag and ("*" in wanted or etag in wanted):
                response = HttpResponseNotModified()
                for header in ("etag", "last-modified", "cache-control", "expires", "vary"):
                    if header in kept:
                        response[kept[header][0]] = kept[header][1]
                _status(response, "hit")
                return response
        return self.get_response(request)

    @staticmethod
    def _is_cacheable_request(request: HttpRequest, *, conditional: bool = False) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not _is_uncached_path(request.path)
            and "HTTP_AUTHORIZATION" not in request.META
            and (
                conditional
                or (
                    "HTTP_IF_NONE_MATCH" not in request.META
                    and "HTTP_IF_MODIFIED_SINCE" not in request.META
                )
            )
        )

    @staticmethod
    def _is_cacheable_response(response: HttpResponse) -> bool:
        if response.status_code not in CACHEABLE_STATUS or response.cookies:
            return False
        if getattr(response, "streaming", False):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if "private" in cache_control or "no-store" in cache_control:
            return False
        return _varies_on(response) <= HONOURED_VARY

    @staticmethod
    def _key(request: HttpRequest) -> str:
        """Everything the response depends on for a visitor without a session, apart from
        the content (which the entry's scopes stand for): method, scheme, host, path and
        query, and the keyed headers."""
        raw = "|".join(
            (
                request.method or "",
                request.scheme or "",
                request.get_host(),
                request.get_full_path(),
                *(request.headers.get(header, "") for header in KEYED_HEADERS),
            )
        )
        return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _varies_on(response: HttpResponse) -> set[str]:
    return {v.lower() for v in re.split(r"\s*,\s*", response.get("Vary", "").strip()) if v}


def _status(response: HttpResponse, status: str) -> None:
    if settings.CACHE_STATUS_HEADER:
        response[STATUS_HEADER] = status


def _add_edge_cache_control(response: HttpResponse) -> None:
    """Let a CDN or nginx share the page for a few seconds and serve it stale while it
    revalidates; browsers revalidate every time (``max-age=0``). A view that chose its own
    lifetime keeps it."""
    seconds = settings.EDGE_CACHE_SECONDS
    if not seconds or "Cache-Control" in response:
        return
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=seconds,
        stale_while_revalidate=seconds * 2,
    )


def _mark_personal_responses_private(request: HttpRequest, response: HttpResponse) -> None:
    """No shared cache may keep a response that sets a cookie (a form token, a session) or
    that was built for a session (it varies on the cookie and the visitor has one)."""
    personal = bool(response.cookies) or (
        settings.SESSION_COOKIE_NAME in request.COOKIES and "cookie" in _varies_on(response)
    )
    if personal:
        cache_control = response.get("Cache-Control", "").lower()
        if "private" not in cache_control and "no-store" not in cache_control:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, private=True)
