"""Full-page cache for anonymous readers, keyed on the public-content generation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from gemeinsam.core.caching import content_generation

UNCACHED_PREFIXES = ("/admin/", "/django-admin/", "/accounts/", "/media/", "/static/", "/count/")
CACHEABLE_STATUS = {200, 301, 404}


def _is_uncached_path(path: str) -> bool:
    # Account pages live under the language prefix: /en/accounts/...
    tail = path.split("/", 2)[-1] if path.count("/") > 1 else path
    return path.startswith(UNCACHED_PREFIXES) or ("/" + tail).startswith(UNCACHED_PREFIXES)


class AnonymousPageCacheMiddleware:
    """Serve and store whole responses for visitors without a session.

    A visitor with a session cookie (signed in, or after submitting a form) always gets a
    fresh page. Responses that set a cookie, vary on the cookie of a signed-in user, or say
    ``private``/``no-store`` are never stored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not self._is_cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cached = cache.get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._is_cacheable_response(response):
            headers = [(k, v) for k, v in response.items() if k.lower() != "x-page-cache"]
            cache.set(key, (response.status_code, headers, response.content), seconds)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _is_cacheable_request(request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not _is_uncached_path(request.path)
            and "HTTP_AUTHORIZATION" not in request.META
            and "HTTP_IF_NONE_MATCH" not in request.META
            and "HTTP_IF_MODIFIED_SINCE" not in request.META
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
        return "accept-language" not in response.get("Vary", "").lower()

    @staticmethod
    def _key(request: HttpRequest) -> str:
        raw = "|".join(
            (
                content_generation(),
                request.method or "",
                request.get_host(),
                request.get_full_path(),
            )
        )
        return "page:" + hashlib.sha256(raw.encode()).hexdigest()
