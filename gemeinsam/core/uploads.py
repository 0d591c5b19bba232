"""Checks uploaded images by their content and re-encodes them without metadata (EXIF, GPS)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence, UnidentifiedImageError

ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
MAX_PIXELS = 64_000_000
# What a re-encoded GIF keeps of each frame's information: timing and transparency only.
GIF_FRAME_INFO = ("duration", "transparency", "disposal")

# Everything Pillow raises for a file it cannot decode: unknown or damaged data, a file cut
# short, a "decompression bomb" (more pixels than Pillow's own limit).
_DECODE_ERRORS = (
    UnidentifiedImageError,
    PILImage.DecompressionBombError,
    PILImage.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
)


class UploadRejectedError(ValueError):
    """The upload is not an image we accept; the message says why, for the uploader."""


@contextmanager
def checked_image(
    upload: UploadedFile[bytes],
    *,
    max_pixels: int = MAX_PIXELS,
    draft_size: tuple[int, int] | None = None,
) -> Iterator[tuple[PILImage.Image, str]]:
    """Open ``upload`` as an image and decode it once; yields the image and its format.

    The format is read from the bytes, not the name, and the pixel count from the header,
    so an image with more than ``max_pixels`` (or more than Pillow's own warning limit, a
    likely decompression bomb) is refused before any pixel is decoded. ``draft_size`` lets a
    JPEG decode at a reduced scale when only a small picture is wanted. Raises
    :class:`UploadRejectedError` with a message for the uploader when the file is not an
    image we take, too large, or damaged or cut short.
    """
    upload.seek(0)
    too_many_pixels = _("The image has too many pixels (at most %(count)d megapixels).") % {
        "count": max_pixels // 1_000_000
    }
    try:
        image = PILImage.open(upload)
    except PILImage.DecompressionBombError as error:  # its header alone says it is a bomb
        raise UploadRejectedError(too_many_pixels) from error
    except _DECODE_ERRORS as error:
        raise UploadRejectedError(_("The file is not an image we can read.")) from error
    with image:
        image_format = image.format or ""
        if image_format not in ALLOWED_FORMATS:
            raise UploadRejectedError(
                _("Images must be JPEG, PNG, WebP or GIF; this file is %(format)s.")
                % {"format": image_format or _("unknown")}
            )
        width, height = image.size
        limit = min(max_pixels, PILImage.MAX_IMAGE_PIXELS or max_pixels)
        if width * height > limit:
            raise UploadRejectedError(too_many_pixels)
        if draft_size is not None and image_format == "JPEG":
            image.draft("RGB", draft_size)
        try:
            image.load()
        except _DECODE_ERRORS as error:
            raise UploadRejectedError(
                _("The image is damaged or incomplete; please save it again and retry.")
            ) from error
        yield image, image_format


def _without_metadata(image: PILImage.Image, keep: tuple[str, ...] = ()) -> PILImage.Image:
    """``image`` with no information Pillow would write back (comments, EXIF, XMP)."""
    image.info = {key: value for key, value in image.info.items() if key in keep}
    return image


def _gif_frames(source: PILImage.Image) -> tuple[list[PILImage.Image], dict[str, object]]:
    """Every frame of a GIF as a fresh image, and the options to save them again with."""
    frames: list[PILImage.Image] = []
    durations: list[int] = []
    try:
        for frame in ImageSequence.Iterator(source):
            durations.append(int(frame.info.get("duration", 100)))
            frames.append(frame.convert("RGBA"))
    except _DECODE_ERRORS as error:
        raise UploadRejectedError(
            _("The image is damaged or incomplete; please save it again and retry.")
        ) from error
    options: dict[str, object] = {"save_all": True, "append_images": frames[1:], "disposal": 2}
    if len(frames) > 1:
        options |= {"duration": durations, "loop": int(source.info.get("loop", 0))}
    return [_without_metadata(frame) for frame in frames], options


def strip_image_metadata(upload: UploadedFile[bytes]) -> UploadedFile[bytes]:
    """Return a copy of ``upload`` decoded and re-encoded without EXIF or other metadata.

    The format is read from the bytes, not the name. Orientation from EXIF is applied to the
    pixels first so the picture still stands upright. GIFs are re-encoded frame by frame
    (keeping their timing), so comment and application extensions (XMP) are dropped too.
    Raises :class:`UploadRejectedError` as :func:`checked_image` does.
    """
    with checked_image(upload) as (source, image_format):
        out = io.BytesIO()
        if image_format == "GIF":
            frames, options = _gif_frames(source)
            frames[0].save(out, format="GIF", **options)
        else:
            upright = ImageOps.exif_transpose(source)
            save_kwargs: dict[str, object] = {}
            if image_format == "JPEG":
                upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
                save_kwargs = {"quality": 92, "optimize": True}
            # The colour profile stays: it says nothing about the person, and without it a
            # wide-gamut photo shows with the wrong colours.
            _without_metadata(upright, keep=("transparency", "icc_profile"))
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
