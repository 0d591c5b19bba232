"""The answer when the shared cache is down."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from gemeinsam.core.cache import CacheUnavailableError

RETRY_AFTER_SECONDS = 30


class CacheUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` when a limit or lock could not use the shared cache.

    Reading pages keep working while the cache is down (its reads and writes fail open);
    what has to count attempts (logins, sign-ups, comments, reports) fails closed, with a
    page that says to try again shortly instead of a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CacheUnavailableError):
            return None
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
