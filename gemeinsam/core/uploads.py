"""Member image uploads: checked by their header in the request, cleaned in the background.

The pipeline has two steps. In the request, :func:`store_pending_image` reads only what the
file says about itself (its format by content, its byte size, pixel count and frame count,
whether it ends where the format says it ends) and keeps the raw bytes in a private folder
that is never served. A background task then calls :func:`process_pending_image`, which
decodes the picture once, turns it upright, drops every metadata block (EXIF with GPS, XMP,
IPTC, comments, PNG text) but the colour profile, and stores the clean original and the
sizes the caller asks for under random names. Staff images go through
:func:`strip_image_metadata` in the request, as Wagtail's image form wants a file back.
"""

from __future__ import annotations

import io
import struct
import uuid
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pillow_heif
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence, UnidentifiedImageError

# Pillow's format name (HEIF for HEIC and HEIF files) -> the name members know it by.
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC", "GIF": "GIF"}
CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# What is stored for each accepted format: browsers show none of HEIC, and a GIF's first
# frame is kept as PNG (an animation would need every frame decoded and re-encoded).
STORED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG", "GIF": "PNG"}
# The brands of an ISO media file (its ``ftyp`` box) that say HEIC or HEIF still images.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# The boxes an ISO media file may have at its top level; anything else is not part of it.
HEIF_TOP_LEVEL_BOXES = {
    b"ftyp", b"meta", b"mdat", b"moov", b"free", b"skip", b"uuid", b"wide", b"pdin", b"styp",
    b"idat", b"moof", b"mfra", b"sidx", b"ssix", b"prft", b"emsg", b"etyp", b"otyp",
}  # fmt: skip
# Raw uploads wait here for their task. Media are served only from the folders an app owns
# (``core.media.register_media_owner``); nobody owns this one, so nothing here is served.
PENDING_FOLDER = "pending_uploads/"

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
    struct.error,
    RuntimeError,
)


class UploadRejectedError(ValueError):
    """The upload is not an image we accept; the message says why, for the uploader."""


@dataclass(frozen=True)
class ImageLimits:
    """What one kind of upload may be: checked on the header, before any pixel is decoded."""

    max_bytes: int
    max_pixels: int
    # Frames of an animation (GIF, PNG, WebP) or images in a HEIF container, all counted.
    max_frames: int = 1
    formats: frozenset[str] = field(default_factory=lambda: frozenset(FORMAT_NAMES))


@dataclass(frozen=True)
class ImageHeader:
    """What an upload's header says: Pillow's format name, the size, the number of frames."""

    format: str
    width: int
    height: int
    frames: int


@dataclass(frozen=True)
class PendingImage:
    """A checked upload kept privately until its task processes it."""

    name: str
    header: ImageHeader


@dataclass(frozen=True)
class ProcessedImage:
    """What :func:`process_pending_image` stored: the clean original (when asked for) and
    one file per requested size, by the caller's label; all names are storage names."""

    format: str
    original: str | None
    renditions: dict[str, str]

    @property
    def names(self) -> list[str]:
        return [name for name in [self.original, *self.renditions.values()] if name]


# ---------------------------------------------------------------- the header-level checks


def _damaged() -> UploadRejectedError:
    return UploadRejectedError(
        _("The image is damaged or incomplete; please save it again and retry.")
    )


def _smuggled() -> UploadRejectedError:
    return UploadRejectedError(
        _("The file holds more than a picture; please save it again as a plain image.")
    )


def _wrong_type(limits: ImageLimits) -> UploadRejectedError:
    names = ", ".join(FORMAT_NAMES[name] for name in FORMAT_NAMES if name in limits.formats)
    return UploadRejectedError(
        _("The file is not an image we can read. We take %(formats)s.") % {"formats": names}
    )


def _check_end(end: int, data: bytes) -> None:
    """The picture ends at ``end``: past the end of ``data`` it was cut short; bytes after
    it (other than zero padding) are another file riding along, such as HTML or a ZIP."""
    if end > len(data):
        raise _damaged()
    if data[end:].strip(b"\x00"):
        raise _smuggled()


def _png_frames(data: bytes) -> int:
    position, frames = 8, 1
    while True:
        if position + 12 > len(data):
            raise _damaged()
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"acTL" and length >= 4:
            (frames,) = struct.unpack(">I", data[position + 8 : position + 12])
        position += 12 + length
        if kind == b"IEND":
            _check_end(position, data)
            return frames


def _gif_frames(data: bytes) -> int:
    def skip_sub_blocks(position: int) -> int:
        while True:
            if position >= len(data):
                raise _damaged()
            size = data[position]
            position += 1 + size
            if size == 0:
                return position

    flags = data[10] if len(data) > 10 else 0
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while True:
        if position >= len(data):
            raise _damaged()
        introducer = data[position]
        if introducer == 0x3B:  # the trailer
            _check_end(position + 1, data)
            return frames
        if introducer == 0x21:  # an extension: label, then sub-blocks
            position = skip_sub_blocks(position + 2)
        elif introducer == 0x2C:  # an image descriptor, its colour table, its LZW data
            if position + 10 > len(data):
                raise _damaged()
            local = data[position + 9]
            position += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            position = skip_sub_blocks(position + 1)
            frames += 1
        else:
            raise _damaged()


def _webp_frames(data: bytes) -> int:
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    _check_end(end, data)
    position, frames = 12, 0
    while position + 8 <= end:
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        frames += kind == b"ANMF"
        position += 8 + length + (length & 1)
    if position != end:
        raise _damaged()
    return max(frames, 1)


def _jpeg_end(data: bytes) -> int:
    """Where the first picture of a JPEG ends (after its EOI marker), by walking its
    segments and scans; a multi-picture JPEG (MPF, as cameras write) counts as its end."""
    position = 2
    while True:
        if position + 2 > len(data) or data[position] != 0xFF:
            raise _damaged()
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        if position + 4 > len(data):
            raise _damaged()
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker == 0xE2 and data[position + 4 : position + 8] == b"MPF\x00":
            return len(data)  # the further pictures follow the first one's end
        position += 2 + length
        if marker == 0xDA:  # entropy-coded data up to the next marker that is not a restart
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= len(data):
                    raise _damaged()
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position += 2
                    continue
                break


def _heif_header(data: bytes) -> ImageHeader:
    """The header of a HEIF file whose top-level boxes fill it exactly (libheif reads only
    the boxes that describe the images here; it decodes no pixel)."""
    position = 0
    while position < len(data):
        if position + 8 > len(data):
            raise _smuggled()
        (size,) = struct.unpack(">I", data[position : position + 4])
        if data[position + 4 : position + 8] not in HEIF_TOP_LEVEL_BOXES:
            raise _smuggled()
        header = 8
        if size == 1:
            if position + 16 > len(data):
                raise _damaged()
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
            header = 16
        elif size == 0:
            size = len(data) - position
        if size < header:
            raise _smuggled()
        position += size
    if position > len(data):
        raise _damaged()
    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        width, height = heif.size
    except _DECODE_ERRORS as error:
        raise _damaged() from error
    return ImageHeader(format="HEIF", width=width, height=height, frames=len(heif))


def _sniff(data: bytes) -> str | None:
    """Pillow's name of the format the bytes begin with, of those we could take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "HEIF"
    return None


def _too_many_pixels(limits: ImageLimits) -> UploadRejectedError:
    return UploadRejectedError(
        _("The image has too many pixels (at most %(count)d megapixels).")
        % {"count": limits.max_pixels // 1_000_000}
    )


def inspect_image(upload: UploadedFile[bytes], *, limits: ImageLimits) -> ImageHeader:
    """What ``upload``'s header says, if it is an image within ``limits``; no pixel decoded.

    The format comes from the bytes, never the name or the browser's type. The file must
    end where its format says it ends: one cut short is damaged, one with more after the
    picture (an HTML page or a ZIP riding along) is refused. Raises
    :class:`UploadRejectedError` with a message for the uploader.
    """
    if upload.size is not None and upload.size > limits.max_bytes:
        raise UploadRejectedError(
            _("The file is larger than %(count)d MB.") % {"count": limits.max_bytes // 2**20}
        )
    upload.seek(0)
    data = upload.read(limits.max_bytes + 1)
    upload.seek(0)
    return inspect_image_bytes(data, limits=limits)


def inspect_image_bytes(data: bytes, *, limits: ImageLimits) -> ImageHeader:
    """:func:`inspect_image` for bytes already read."""
    if len(data) > limits.max_bytes:
        raise UploadRejectedError(
            _("The file is larger than %(count)d MB.") % {"count": limits.max_bytes // 2**20}
        )
    image_format = _sniff(data)
    if image_format is None or image_format not in limits.formats:
        raise _wrong_type(limits)
    try:
        if image_format == "HEIF":
            header = _heif_header(data)
        else:
            header = _pillow_header(data, image_format, limits)
    except (struct.error, IndexError) as error:
        raise _damaged() from error
    if header.width * header.height > limits.max_pixels:
        raise _too_many_pixels(limits)
    if header.frames > limits.max_frames:
        raise UploadRejectedError(
            _("The image has too many frames (at most %(count)d).") % {"count": limits.max_frames}
        )
    return header


def _pillow_header(data: bytes, image_format: str, limits: ImageLimits) -> ImageHeader:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            # Only the format the bytes begin with: no other plugin (SVG, TIFF, PDF, or a
            # HEIF opener some library registered) gets to read the file.
            with PILImage.open(io.BytesIO(data), formats=[image_format]) as image:
                width, height = image.size
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
            raise _too_many_pixels(limits) from error
        except _DECODE_ERRORS as error:
            raise _damaged() from error
    if image_format == "PNG":
        frames = _png_frames(data)
    elif image_format == "GIF":
        frames = _gif_frames(data)
    elif image_format == "WEBP":
        frames = _webp_frames(data)
    else:
        _check_end(_jpeg_end(data), data)
        frames = 1
    return ImageHeader(format=image_format, width=width, height=height, frames=frames)


# ---------------------------------------------------------------- decoding and re-encoding


@contextmanager
def _decoded(
    data: bytes, header: ImageHeader, draft_size: tuple[int, int] | None = None
) -> Iterator[PILImage.Image]:
    """The picture's first frame decoded once, upright, with no information but its colour
    profile (and a palette's transparency); ``draft_size`` lets a JPEG decode at a smaller
    scale. Raises :class:`UploadRejectedError` when the pixels cannot be decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            if header.format == "HEIF":
                heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
                # libheif turns the picture upright itself and pillow-heif then sets the
                # EXIF orientation to 1, so the transpose below leaves it as it is.
                source = heif[heif.primary_index].to_pillow()
            else:
                source = PILImage.open(io.BytesIO(data), formats=[header.format])
                if draft_size is not None and header.format == "JPEG":
                    source.draft("RGB", draft_size)
                source.load()
            upright = ImageOps.exif_transpose(source)
        except _DECODE_ERRORS as error:
            raise _damaged() from error
    if upright is not source:
        source.close()
    with upright:
        upright.info = {
            key: upright.info[key] for key in ("icc_profile", "transparency") if key in upright.info
        }
        yield upright


def _encoded(image: PILImage.Image, stored_format: str) -> bytes:
    """``image`` in ``stored_format`` with its colour profile and nothing else: each
    encoder is given empty EXIF and XMP, so none comes from the image's information."""
    icc = image.info.get("icc_profile")
    options: dict[str, object] = {"exif": b""}
    if icc:
        options["icc_profile"] = icc
    if stored_format == "JPEG":
        if image.mode == "CMYK":
            options.pop("icc_profile", None)  # a CMYK profile would misdescribe RGB pixels
        if image.mode not in ("RGB", "L"):
            image = _flattened(image)
        options |= {"quality": 88, "optimize": True, "comment": b""}
    elif stored_format == "WEBP":
        options |= {"quality": 85, "xmp": b""}
    elif stored_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=stored_format, **options)
    return out.getvalue()


def _flattened(image: PILImage.Image) -> PILImage.Image:
    """An RGB copy of ``image``, its transparent parts on white."""
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = PILImage.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _stored_format(header: ImageHeader, has_alpha: bool) -> str:
    stored = STORED_FORMATS[header.format]
    if stored == "JPEG" and header.format == "HEIF" and has_alpha:
        return "PNG"
    return stored


# ---------------------------------------------------------------- the pipeline


def store_pending_image(
    upload: UploadedFile[bytes], *, limits: ImageLimits, storage: Storage | None = None
) -> PendingImage:
    """Check ``upload`` by its header (:func:`inspect_image`) and keep its raw bytes under a
    random name in the private pending folder, for :func:`process_pending_image`.

    Decodes nothing. Raises :class:`UploadRejectedError` (and stores nothing) when the file
    is not an image within ``limits``. The caller enqueues the processing, and deletes the
    pending file with :func:`discard_pending_image` if it gives up on it.
    """
    header = inspect_image(upload, limits=limits)
    storage = storage or default_storage
    upload.seek(0)
    name = storage.save(f"{PENDING_FOLDER}{uuid.uuid4().hex}.upload", upload)
    return PendingImage(name=name, header=header)


def discard_pending_image(name: str, *, storage: Storage | None = None) -> None:
    """Delete a pending upload, if it is still there; only names in the pending folder."""
    storage = storage or default_storage
    if name.startswith(PENDING_FOLDER) and storage.exists(name):
        storage.delete(name)


def process_pending_image(
    name: str,
    *,
    folder: str,
    limits: ImageLimits,
    renditions: Mapping[str, tuple[int, int]],
    keep_original: bool = True,
    storage: Storage | None = None,
) -> ProcessedImage:
    """Decode the pending upload ``name`` once and store it clean below ``folder``.

    Each entry of ``renditions`` (a label and the largest width and height) gets a file
    scaled to fit; ``keep_original`` adds the picture at its own size. The picture is
    turned upright first; no metadata is written but the colour profile. Names are a
    random id and the stored format's extension (HEIC is stored as JPEG, a GIF's first
    frame as PNG). The header is checked again against ``limits``, as the pending file may
    be older than a change of them. Raises :class:`UploadRejectedError` when the file
    cannot be decoded; the pending file stays in either case, for the caller to discard.
    """
    storage = storage or default_storage
    with storage.open(name, "rb") as pending:
        data = pending.read()
    header = inspect_image_bytes(data, limits=limits)
    draft_size = None
    if not keep_original and renditions:
        draft_size = (
            2 * max(width for width, _height in renditions.values()),
            2 * max(height for _width, height in renditions.values()),
        )
    stored: list[str] = []
    identity = uuid.uuid4().hex
    try:
        with _decoded(data, header, draft_size) as picture:
            stored_format = _stored_format(header, "A" in picture.getbands())
            extension = EXTENSIONS[stored_format]
            original = None
            if keep_original:
                original = storage.save(
                    f"{folder}{identity}.{extension}",
                    ContentFile(_encoded(picture.copy(), stored_format)),
                )
                stored.append(original)
            made: dict[str, str] = {}
            for label, size in renditions.items():
                copy = picture.copy()
                copy.thumbnail(size)
                made[label] = storage.save(
                    f"{folder}{identity}-{size[0]}x{size[1]}.{extension}",
                    ContentFile(_encoded(copy, stored_format)),
                )
                stored.append(made[label])
    except BaseException:
        for written in stored:
            storage.delete(written)
        raise
    return ProcessedImage(format=stored_format, original=original, renditions=made)


# ---------------------------------------------------------------- staff images, in the request


def _without_metadata(image: PILImage.Image) -> PILImage.Image:
    image.info = {key: value for key, value in image.info.items() if key in GIF_FRAME_INFO}
    return image


def _gif_frames_clean(data: bytes) -> bytes:
    """A GIF re-encoded frame by frame, keeping timing and looping and nothing else (no
    comment, XMP or other application extension)."""
    frames: list[PILImage.Image] = []
    durations: list[int] = []
    try:
        with PILImage.open(io.BytesIO(data), formats=["GIF"]) as source:
            loop = int(source.info.get("loop", 0))
            for frame in ImageSequence.Iterator(source):
                durations.append(int(frame.info.get("duration", 100)))
                frames.append(_without_metadata(frame.convert("RGBA")))
    except _DECODE_ERRORS as error:
        raise _damaged() from error
    options: dict[str, object] = {"save_all": True, "append_images": frames[1:], "disposal": 2}
    if len(frames) > 1:
        options |= {"duration": durations, "loop": loop}
    out = io.BytesIO()
    frames[0].save(out, format="GIF", **options)
    return out.getvalue()


def strip_image_metadata(upload: UploadedFile[bytes]) -> UploadedFile[bytes]:
    """Return a copy of ``upload`` decoded and re-encoded without EXIF or other metadata.

    For staff images, which Wagtail's form stores at once. Checked as :func:`inspect_image`
    does (at most :data:`MAX_PIXELS`); turned upright; only the colour profile is kept.
    GIFs are re-encoded frame by frame, keeping their timing; HEIC becomes JPEG.
    """
    limits = ImageLimits(max_bytes=upload.size or 2**31, max_pixels=MAX_PIXELS, max_frames=10_000)
    header = inspect_image(upload, limits=limits)
    upload.seek(0)
    data = upload.read()
    if header.format == "GIF":
        cleaned, stored_format = _gif_frames_clean(data), "GIF"
    else:
        with _decoded(data, header) as picture:
            stored_format = _stored_format(header, "A" in picture.getbands())
            cleaned = _encoded(picture, stored_format)
    stem = (upload.name or "image").rsplit(".", 1)[0]
    return InMemoryUploadedFile(
        io.BytesIO(cleaned),
        field_name=getattr(upload, "field_name", "file"),
        name=f"{stem}.{EXTENSIONS[stored_format]}",
        content_type=CONTENT_TYPES[stored_format],
        size=len(cleaned),
        charset=None,
    )
