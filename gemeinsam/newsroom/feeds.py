"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newsroom's stories."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def site_feed(request: HttpRequest, fmt: str) -> HttpResponse:
    raise Http404


def tag_feed(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    raise Http404


def type_feed(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    raise Http404


def author_feed(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    raise Http404
