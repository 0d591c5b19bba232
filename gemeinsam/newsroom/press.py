"""Press material downloads: contact vCards and press-kit ZIP archives."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def press_kit_zip(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
