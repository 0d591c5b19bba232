"""HTTP validators (ETag, Last-Modified) that come from scopes, not from the database."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from gemeinsam.core.caching.scopes import Scope, changed_at, reads
from gemeinsam.core.publishing import PUBLIC_MAX_AGE


def public_etag(scopes: Iterable[Scope], *parts: str) -> str:
    """A strong ETag for a public output: the versions of its scopes plus what names it."""
    scope_versions = reads(*scopes)
    raw = "|".join((*(f"{s}={v}" for s, v in sorted(scope_versions.items())), *parts))
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _stamp(response: HttpResponseBase, etag: str, last_modified: int) -> HttpResponseBase:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def conditional_output(
    request: HttpRequest,
    build: Callable[[], HttpResponse],
    scopes: Iterable[Scope],
    *parts: str,
    not_before: int = 0,
) -> HttpResponseBase:
    """Answer If-None-Match / If-Modified-Since with 304 before anything is read or rendered.

    The validators come from the cache alone (no database): the ETag is the versions of
    ``scopes`` plus the path and ``parts``; Last-Modified is the time of the latest change
    among those scopes, or ``not_before`` (a unix time) when that is later. The scopes are
    declared precisely: the output reads nothing else. ``build`` is called only when the
    client's copy is stale.
    """
    scopes = list(scopes)
    scope_versions = reads(*scopes, precise=True)
    etag = public_etag(scopes, request.path, *parts)
    last_modified = max(changed_at(scope_versions), not_before)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return _stamp(not_modified, etag, last_modified)
    return _stamp(build(), etag, last_modified)
