"""Serves uploaded media, asking the registered guards first (embargoed files stay hidden).

Higher layers register a guard in their ``AppConfig.ready()``; a guard gets the request and
the path below ``MEDIA_ROOT`` and returns True when the file must not be served to it.
Only files below the upload folders the project writes to are served at all.
"""

from __future__ import annotations

import copy
import enum
import mimetypes
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase, QueryDict

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
    return anonymous


def media_access(request: HttpRequest, relative_path: str) -> MediaAccess:
    """PUBLIC when an anonymous visitor may have the file, PRIVATE when only this request
    may (a guard let its account or its link through), HIDDEN otherwise."""
    if not is_media_blocked(as_anonymous(request), relative_path):
        return MediaAccess.PUBLIC
    user = getattr(request, "user", None)
    if not request.GET and not (user is not None and user.is_authenticated):
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


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    relative = served_relative_path(path)
    if relative is None:
        raise Http404
    access = media_access(request, relative)
    if access is MediaAccess.HIDDEN:
        raise Http404
    full = Path(settings.MEDIA_ROOT).resolve() / relative
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    response = FileResponse(full.open("rb"), content_type=content_type)
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = access.cache_control
    return response
