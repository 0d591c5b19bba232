"""Content checks for uploaded video and caption files: by their bytes, not their names."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

MAX_VIDEO_BYTES = 2 * 1024 * 1024 * 1024
MAX_CAPTION_BYTES = 2 * 1024 * 1024


def _head(file: File, size: int) -> bytes:  # type: ignore[type-arg]
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def validate_video_file(file: File) -> None:  # type: ignore[type-arg]
    """Accept MP4 (an ``ftyp`` box first) and WebM (an EBML header) files only."""
    if file.size and file.size > MAX_VIDEO_BYTES:
        raise ValidationError(_("Videos may be at most 2 GB."))
    head = _head(file, 16)
    is_mp4 = head[4:8] == b"ftyp"
    is_webm = head[:4] == b"\x1a\x45\xdf\xa3"
    if not (is_mp4 or is_webm):
        raise ValidationError(_("This file is not an MP4 or WebM video."))


def validate_webvtt(file: File) -> None:  # type: ignore[type-arg]
    """Accept UTF-8 text files that start with the WebVTT signature."""
    if file.size and file.size > MAX_CAPTION_BYTES:
        raise ValidationError(_("Caption files may be at most 2 MB."))
    head = _head(file, 64)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.startswith(b"WEBVTT") or (len(head) > 6 and head[6:7] not in b" \t\r\n"):
        raise ValidationError(_('This is not a WebVTT file: it must start with "WEBVTT".'))
    try:
        file.seek(0)
        raw = file.read()
        (raw if isinstance(raw, bytes) else raw.encode()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(_("Caption files must be UTF-8 text.")) from error
    finally:
        file.seek(0)
