"""Serves uploaded media, asking the registered guards first (embargoed files stay hidden).

Higher layers register a guard in their ``AppConfig.ready()``; a guard gets the request and
the path below ``MEDIA_ROOT`` and returns True when the file must not be served to it.
Only files below the upload folders the project writes to are served at all.
"""

from __future__ import annotations

import copy
import enum
import mimetypes
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)

MediaGuard = Callable[[HttpRequest, str], bool]
_guards: list[MediaGuard] = []

# The folders below MEDIA_ROOT that uploads go to: Wagtail's original images and renditions,
# members' avatars, staff avatars in the admin, videos and their captions. Anything else
# there (documents, which Wagtail serves itself, press-kit archives, or whatever else shares
# the folder) is never served from here.
SERVED_PREFIXES = (
    "original_images/",
    "images/",
    "avatars/",
    "avatar_images/",
    "videos/",
    "captions/",
)

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

PUBLIC_CACHE_CONTROL = "public, max-age=300"
PRIVATE_CACHE_CONTROL = "private, no-store"


class MediaAccess(enum.Enum):
    """Who may have a file: anyone, only this request (never kept by shared caches), nobody."""

    PUBLIC = "public"
    PRIVATE = "private"
    HIDDEN = "hidden"

    @property
    def cache_control(self) -> str:
        return PUBLIC_CACHE_CONTROL if self is MediaAccess.PUBLIC else PRIVATE_CACHE_CONTROL


def register_media_guard(guard: MediaGuard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def is_media_blocked(request: HttpRequest, relative_path: str) -> bool:
    return any(guard(request, relative_path) for guard in _guards)


def as_anonymous(request: HttpRequest) -> HttpRequest:
    """The same request as a visitor without an account, a session or a query string would
    send it: what the guards answer to this is what anyone may have."""
    anonymous = copy.copy(request)
    anonymous.user = AnonymousUser()
    anonymous.GET = QueryDict()
    anonymous.COOKIES = {}
    anonymous.session = SessionBase()  # empty: no page password entered, nothing signed in
    return anonymous


def media_access(request: HttpRequest, relative_path: str) -> MediaAccess:
    """PUBLIC when an anonymous visitor may have the file, PRIVATE when only this request
    may (a guard let its account or its link through), HIDDEN otherwise."""
    if not is_media_blocked(as_anonymous(request), relative_path):
        return MediaAccess.PUBLIC
    user = getattr(request, "user", None)
    has_session = settings.SESSION_COOKIE_NAME in request.COOKIES  # e.g. a page password
    if not request.GET and not has_session and not (user is not None and user.is_authenticated):
        return MediaAccess.HIDDEN
    if is_media_blocked(request, relative_path):
        return MediaAccess.HIDDEN
    return MediaAccess.PRIVATE


def served_relative_path(path: str) -> str | None:
    """``path`` when it names a file below one of the upload folders, in its one spelling
    (no ``..``, no doubled or trailing slashes, no way out of MEDIA_ROOT); else None."""
    if not path.startswith(SERVED_PREFIXES):
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        return None
    relative = full.relative_to(root).as_posix()
    return relative if relative == path else None


_BYTE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
RANGE_CHUNK = 64 * 1024


class UnsatisfiableRangeError(Exception):
    """The requested bytes lie outside the file."""


def requested_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) of a single ``Range: bytes=…`` request, or None
    when the whole file is to be sent (no header, several ranges, a form we do not read).

    Raises :class:`UnsatisfiableRangeError` for a range that starts past the end.
    """
    match = _BYTE_RANGE.match(header.strip())
    if match is None or not any(match.groups()):
        return None
    first, last = match.groups()
    if not first:  # "bytes=-500": the last 500 bytes
        length = int(last)
        if length == 0:
            raise UnsatisfiableRangeError
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:  # not a range at all: ignored, as the standard says
        return None
    if start >= size:
        raise UnsatisfiableRangeError
    return start, min(int(last), size - 1) if last else size - 1


def _file_part(full: Path, start: int, end: int) -> Iterator[bytes]:
    with full.open("rb") as file:
        file.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = file.read(min(RANGE_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def _ranged_response(
    request: HttpRequest, full: Path, content_type: str
) -> HttpResponseBase | None:
    """A 206 with the requested bytes, a 416 for bytes past the end, or None for the whole
    file. ``If-Range`` is answered with the whole file: the file's validators are not sent,
    so a client cannot prove its part is of the current version."""
    header = request.META.get("HTTP_RANGE", "")
    if not header or "HTTP_IF_RANGE" in request.META or request.method != "GET":
        return None
    size = full.stat().st_size
    try:
        span = requested_range(header, size)
    except UnsatisfiableRangeError:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    if span is None:
        return None
    start, end = span
    response = StreamingHttpResponse(
        _file_part(full, start, end), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return response


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """A media file behind its guards; a single byte range (206) when a player asks for
    one, so audio and video can be sought without downloading all of it first."""
    relative = served_relative_path(path)
    if relative is None:
        raise Http404
    access = media_access(request, relative)
    if access is MediaAccess.HIDDEN:
        raise Http404
    full = Path(settings.MEDIA_ROOT).resolve() / relative
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = _ranged_response(request, full, content_type) or FileResponse(
        full.open("rb"), content_type=content_type
    )
    response["Accept-Ranges"] = "bytes"
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = access.cache_control
    return response
