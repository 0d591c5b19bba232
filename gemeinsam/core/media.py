"""Serves uploaded media, asking the registered guards first (embargoed files stay hidden).

Higher layers register a guard in their ``AppConfig.ready()``; a guard gets the request and
the path below ``MEDIA_ROOT`` and returns True when the file must not be served to it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase

MediaGuard = Callable[[HttpRequest, str], bool]
_guards: list[MediaGuard] = []

# Only these types are sent inline; everything else is a download, so that an uploaded
# HTML or SVG file can never run script in the site's origin.
INLINE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/avif",
    "video/mp4",
    "video/webm",
    "text/vtt",
    "application/pdf",
}


def register_media_guard(guard: MediaGuard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def is_media_blocked(request: HttpRequest, relative_path: str) -> bool:
    return any(guard(request, relative_path) for guard in _guards)


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404
    relative = full.relative_to(root).as_posix()
    if relative.startswith("documents/") or is_media_blocked(request, relative):
        raise Http404
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = FileResponse(full.open("rb"), content_type=content_type)
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=300"
    return response
