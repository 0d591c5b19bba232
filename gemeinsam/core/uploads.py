"""Checks uploaded images by their content and re-encodes them without metadata (EXIF, GPS)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
MAX_PIXELS = 64_000_000


class UploadRejectedError(ValueError):
    """The upload is not an image we accept; the message says why, for the uploader."""


def strip_image_metadata(upload: UploadedFile[bytes]) -> UploadedFile[bytes]:
    """Return a copy of ``upload`` decoded and re-encoded without EXIF or other metadata.

    The format is read from the bytes, not the name. Orientation from EXIF is applied to the
    pixels first so the picture still stands upright. Animated GIFs are kept as they are
    (they carry no EXIF) after the format check.
    """
    upload.seek(0)
    try:
        with PILImage.open(upload) as probe:
            image_format = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError) as error:
        raise UploadRejectedError(_("The file is not an image we can read.")) from error
    if image_format not in ALLOWED_FORMATS:
        raise UploadRejectedError(
            _("Images must be JPEG, PNG, WebP or GIF; this file is %(format)s.")
            % {"format": image_format or _("unknown")}
        )
    if width * height > MAX_PIXELS:
        raise UploadRejectedError(_("The image has too many pixels (at most 64 megapixels)."))
    upload.seek(0)
    if image_format == "GIF":
        return upload
    with PILImage.open(upload) as source:
        upright = ImageOps.exif_transpose(source)
        out = io.BytesIO()
        save_kwargs: dict[str, object] = {}
        if image_format == "JPEG":
            upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
            save_kwargs = {"quality": 92, "optimize": True}
        upright.save(out, format=image_format, **save_kwargs)
    size = out.tell()
    out.seek(0)
    return InMemoryUploadedFile(
        out,
        field_name=getattr(upload, "field_name", "file"),
        name=upload.name,
        content_type=ALLOWED_FORMATS[image_format],
        size=size,
        charset=None,
    )
