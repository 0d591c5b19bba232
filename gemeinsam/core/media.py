"""Serves uploaded media, each folder behind the app that owns its files.

Each app that stores files below ``MEDIA_ROOT`` registers the folder in its
``AppConfig.ready()`` with :func:`register_media_owner` and a check that says whether a
request may have a file there (the newsroom: embargo and listing; accounts: hidden
profiles; later contests: an entry's status). A request asks one owner, found by the
folder, so the cost does not grow with the number of folders or files; the owners look
their records up by indexed file columns. A folder nobody registered (press-kit archives,
pending uploads, documents) is never served from here.

Files are read through Django's storage API. A public file can be handed to nginx
(``X-Accel-Redirect``, setting ``MEDIA_ACCEL_REDIRECT``) instead of being streamed through
Python; private files are always streamed, with ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

import copy
import enum
import mimetypes
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)

# True when the request may have the file at this path (below MEDIA_ROOT).
MediaCheck = Callable[[HttpRequest, str], bool]


@dataclass(frozen=True)
class MediaOwner:
    """An upload folder and the check that decides who may have its files."""

    folder: str
    may_have: MediaCheck


_owners: dict[str, MediaOwner] = {}


def register_media_owner(folder: str, may_have: MediaCheck) -> None:
    """``folder`` ("videos/") holds files that ``may_have(request, path)`` decides on.

    One owner per folder: a second registration of the same folder is a mistake."""
    if not folder.endswith("/") or "/" in folder[:-1]:
        raise ValueError(f"A media folder is one name ending in '/', not {folder!r}.")
    existing = _owners.get(folder)
    if existing is not None and existing.may_have is not may_have:
        raise ValueError(f"The media folder {folder!r} already has an owner.")
    _owners[folder] = MediaOwner(folder, may_have)


def served_folders() -> tuple[str, ...]:
    """The folders /media/ serves, each behind its owner."""
    return tuple(_owners)


def media_owner(path: str) -> MediaOwner | None:
    folder, slash, _rest = path.partition("/")
    return _owners.get(folder + slash) if slash else None


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


def as_anonymous(request: HttpRequest) -> HttpRequest:
    """The same request as a visitor without an account, a session or a query string would
    send it: what the owner answers to this is what anyone may have."""
    anonymous = copy.copy(request)
    anonymous.user = AnonymousUser()
    anonymous.GET = QueryDict()
    anonymous.COOKIES = {}
    anonymous.session = SessionBase()  # empty: no page password entered, nothing signed in
    return anonymous


def media_access(request: HttpRequest, relative_path: str) -> MediaAccess:
    """PUBLIC when an anonymous visitor may have the file, PRIVATE when only this request
    may (its owner let its account or its link through), HIDDEN otherwise (and for a file in
    a folder nobody owns)."""
    owner = media_owner(relative_path)
    if owner is None:
        return MediaAccess.HIDDEN
    if owner.may_have(as_anonymous(request), relative_path):
        return MediaAccess.PUBLIC
    user = getattr(request, "user", None)
    has_session = settings.SESSION_COOKIE_NAME in request.COOKIES  # e.g. a page password
    if not request.GET and not has_session and not (user is not None and user.is_authenticated):
        return MediaAccess.HIDDEN
    if not owner.may_have(request, relative_path):
        return MediaAccess.HIDDEN
    return MediaAccess.PRIVATE


def served_relative_path(path: str) -> str | None:
    """``path`` when it names a stored file in a served folder, in its one spelling (no
    ``..``, no doubled or trailing slashes, nothing outside the folders); else None."""
    if media_owner(path) is None or posixpath.normpath(path) != path or "\\" in path:
        return None
    try:
        return path if default_storage.exists(path) else None
    except (OSError, ValueError, SuspiciousFileOperation):  # a name the storage refuses
        return None


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


def _file_part(file: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    with file:
        file.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = file.read(min(RANGE_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def _ranged_response(
    request: HttpRequest, relative: str, content_type: str
) -> HttpResponseBase | None:
    """A 206 with the requested bytes, a 416 for bytes past the end, or None for the whole
    file. ``If-Range`` is answered with the whole file: the file's validators are not sent,
    so a client cannot prove its part is of the current version."""
    header = request.META.get("HTTP_RANGE", "")
    if not header or "HTTP_IF_RANGE" in request.META or request.method != "GET":
        return None
    size = default_storage.size(relative)
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
        _file_part(default_storage.open(relative, "rb"), start, end),
        status=206,
        content_type=content_type,
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    return response


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """A media file behind its owner's check; a single byte range (206) when a player asks
    for one, so audio and video can be sought without downloading all of it first."""
    relative = served_relative_path(path)
    if relative is None:
        raise Http404
    access = media_access(request, relative)
    if access is MediaAccess.HIDDEN:
        raise Http404
    content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    accel = settings.MEDIA_ACCEL_REDIRECT
    if accel and access is MediaAccess.PUBLIC:
        # nginx sends the file (and answers ranges) from its internal location.
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(relative)
    else:
        response = _ranged_response(request, relative, content_type) or FileResponse(
            default_storage.open(relative, "rb"), content_type=content_type
        )
    response["Accept-Ranges"] = "bytes"
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = access.cache_control
    return response
