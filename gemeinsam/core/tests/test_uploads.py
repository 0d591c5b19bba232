"""Uploaded images are decoded once, within limits, and stored without any metadata."""

from __future__ import annotations

import functools
import io
import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import skip_or_fail
from gemeinsam.core.uploads import (
    PENDING_FOLDER,
    ImageLimits,
    UploadRejectedError,
    inspect_image,
    process_pending_image,
    store_pending_image,
    strip_image_metadata,
)

SECRET = b"taken at 12 Secret Street by Ada"
SECRET_TEXT = "Secret Street"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with a few rows of data: what
    a decompression bomb looks like before it is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def jpeg_with_comment_and_exif(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=SECRET)
    return out.getvalue()


def gif_with_comment_and_xmp(frames: int = 3) -> bytes:
    images = [Image.new("P", (32, 32), colour) for colour in range(frames)]
    for image in images:
        image.putpalette([value for index in range(256) for value in (index, 255 - index, 9)])
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=80,
        loop=0,
        comment=SECRET,
    )
    data = out.getvalue()
    xmp = (
        b"\x21\xff\x0bXMP DataXMP"
        + b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"<dc:creator>"
        + SECRET
        + b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
        + bytes([1, *range(255, -1, -1)])
        + b"\x00"
    )
    at = data.index(b"\x21\xfe")  # before the comment extension
    return data[:at] + xmp + data[at:]


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def exiftool_tags(path: Path) -> dict[str, Any]:
    """What exiftool, an outside judge, finds in a file (all groups, duplicates included)."""
    tool = shutil.which("exiftool") or (
        "/usr/bin/exiftool" if Path("/usr/bin/exiftool").exists() else None
    )
    if tool is None:
        skip_or_fail("exiftool is not installed (Debian: libimage-exiftool-perl)")
    assert tool is not None
    result = subprocess.run(
        [tool, "-j", "-a", "-G1", "-u", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    tags: dict[str, Any] = json.loads(result.stdout)[0]
    return tags


# What may say something about the person or the place; the colour profile (group ICC) says
# nothing of the kind and is kept on purpose.
METADATA_GROUPS = ("EXIF", "IFD0", "IFD1", "XMP", "GPS", "Comment", "Photoshop", "IPTC")


def metadata_in(tags: dict[str, Any]) -> dict[str, Any]:
    """The tags of ``tags`` that are metadata, and any tag whose value tells the secret."""
    return {
        name: value
        for name, value in tags.items()
        if any(group in name for group in METADATA_GROUPS)
        or name.endswith(":Comment")
        or SECRET_TEXT in str(value)
    }


def test_the_samples_do_carry_metadata(tmp_path: Path) -> None:
    """The judge sees the metadata in the originals, so its silence below means something."""
    (tmp_path / "in.jpg").write_bytes(jpeg_with_comment_and_exif())
    (tmp_path / "in.gif").write_bytes(gif_with_comment_and_xmp())
    assert metadata_in(exiftool_tags(tmp_path / "in.jpg"))
    gif = metadata_in(exiftool_tags(tmp_path / "in.gif"))
    assert any("XMP" in name for name in gif)
    assert any(name.endswith("Comment") for name in gif)


def test_jpeg_comments_and_exif_are_not_carried_over(tmp_path: Path) -> None:
    cleaned = strip_image_metadata(upload(jpeg_with_comment_and_exif(), "photo.jpg")).read()

    assert SECRET not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG"
        assert "comment" not in image.info
        assert not image.getexif()
    (tmp_path / "out.jpg").write_bytes(cleaned)
    assert metadata_in(exiftool_tags(tmp_path / "out.jpg")) == {}


def test_gifs_are_re_encoded_keeping_their_frames_but_no_comment_or_xmp(tmp_path: Path) -> None:
    original = gif_with_comment_and_xmp(frames=3)

    cleaned = strip_image_metadata(upload(original, "moving.gif")).read()

    assert cleaned != original
    assert SECRET not in cleaned
    assert b"XMP DataXMP" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "GIF"
        assert image.n_frames == 3
        assert image.info.get("duration") == 80
    (tmp_path / "out.gif").write_bytes(cleaned)
    assert metadata_in(exiftool_tags(tmp_path / "out.gif")) == {}


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(UploadRejectedError, match="too many pixels"):
        strip_image_metadata(upload(png_header_only(30_000, 30_000), "bomb.png"))


def test_a_picture_cut_short_is_refused_with_a_message() -> None:
    data = jpeg_with_comment_and_exif((800, 600))

    with pytest.raises(UploadRejectedError, match="damaged or incomplete"):
        strip_image_metadata(upload(data[: len(data) // 2], "cut.jpg"))


def test_a_png_keeps_its_transparency_and_colour_profile_but_no_text() -> None:
    from PIL import ImageCms, PngImagePlugin

    image = Image.new("RGBA", (40, 30), (10, 20, 30, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET.decode())
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, icc_profile=profile)

    cleaned = strip_image_metadata(upload(out.getvalue(), "logo.png")).read()

    assert SECRET not in cleaned
    with Image.open(io.BytesIO(cleaned)) as result:
        assert result.mode == "RGBA"
        assert result.getpixel((0, 0))[3] == 0
        assert result.info.get("icc_profile") == profile


# ---------------------------------------------------------------- the member upload pipeline

LIMITS = ImageLimits(max_bytes=5 * 1024 * 1024, max_pixels=16_000_000, max_frames=50)
# Where the picture was taken, in the EXIF GPS block and in an XMP packet.
XMP_WITH_GPS = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'exif:GPSLatitude="52,31.2N" exif:GPSLongitude="13,24.0E"><dc:creator><rdf:Seq><rdf:li>'
    + SECRET
    + b"</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


@functools.cache
def srgb_profile() -> bytes:
    """An sRGB profile (made once: its header holds the time it was made)."""
    from PIL import ImageCms

    profile: bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile


def exif_with_gps(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}
    return exif


def sideways_picture() -> Image.Image:
    """60×40, red on the left and blue on the right: stored sideways, as a phone does; with
    EXIF orientation 6 it shows 40×60, red at the top."""
    image = Image.new("RGB", (60, 40), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 30, 40))
    return image


def photo_with_gps(image_format: str) -> bytes:
    """A photo in ``image_format`` with GPS in EXIF and XMP, a colour profile, orientation 6
    and (where the format has them) IPTC, a comment and PNG text."""
    image = sideways_picture()
    exif = exif_with_gps()
    out = io.BytesIO()
    if image_format == "HEIF":
        import pillow_heif

        heif = pillow_heif.from_pillow(image)
        heif.save(
            out, quality=90, exif=exif.tobytes(), xmp=XMP_WITH_GPS, icc_profile=srgb_profile()
        )
        return out.getvalue()
    options: dict[str, Any] = {"exif": exif, "icc_profile": srgb_profile()}
    if image_format == "JPEG":
        options |= {"xmp": XMP_WITH_GPS, "comment": SECRET, "quality": 95}
    elif image_format == "WEBP":
        options |= {"xmp": XMP_WITH_GPS, "quality": 95}
    elif image_format == "PNG":
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        text.add_itxt("XML:com.adobe.xmp", XMP_WITH_GPS.decode())
        text.add_text("Author", SECRET.decode())
        options["pnginfo"] = text
    image.save(out, format=image_format, **options)
    data = out.getvalue()
    if image_format == "JPEG":
        data = add_iptc(data)
    return data


def add_iptc(jpeg: bytes) -> bytes:
    """``jpeg`` with an IPTC block (Photoshop APP13) naming the secret place."""
    record = b"\x1c\x02\x5c" + struct.pack(">H", len(SECRET)) + SECRET  # 2:92 sub-location
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    payload = b"Photoshop 3.0\x00" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


ACCEPTED = ["JPEG", "PNG", "WEBP", "HEIF"]
STORED_AS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}


@pytest.mark.parametrize("image_format", ACCEPTED)
def test_the_samples_carry_gps_in_exif_and_xmp(tmp_path: Path, image_format: str) -> None:
    """The judge sees the location in every sample, so its silence after cleaning counts."""
    (tmp_path / "in").write_bytes(photo_with_gps(image_format))

    tags = exiftool_tags(tmp_path / "in")

    assert any(name.startswith("GPS:") for name in tags)
    assert any(name.startswith("XMP-exif:GPS") for name in tags)
    assert any(name.startswith("ICC") for name in tags)
    if image_format == "JPEG":
        assert any(name.startswith("IPTC:") for name in tags)
        assert "File:Comment" in tags


@pytest.mark.parametrize("image_format", ACCEPTED)
def test_a_processed_upload_keeps_no_metadata_but_its_colour_profile_and_stands_upright(
    tmp_path: Path, image_format: str
) -> None:
    from django.core.files.storage import default_storage

    pending = store_pending_image(
        upload(photo_with_gps(image_format), "at-home.img"), limits=LIMITS
    )

    processed = process_pending_image(
        pending.name, folder="entries/", limits=LIMITS, renditions={"small": (20, 20)}
    )

    assert processed.format == STORED_AS[image_format]
    assert processed.original is not None
    sizes = {processed.original: (40, 60), processed.renditions["small"]: (13, 20)}
    for name, size in sizes.items():
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
        assert SECRET not in data
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == STORED_AS[image_format]
            assert image.size == size  # turned upright: portrait
            assert image.info.get("icc_profile") == srgb_profile()
            assert not image.getexif()
            rgb = image.convert("RGB")
            top, bottom = rgb.getpixel((size[0] // 2, 2)), rgb.getpixel((size[0] // 2, size[1] - 3))
        assert (top[0] > 200, top[2] < 60) == (True, True), top  # red on top
        assert (bottom[2] > 200, bottom[0] < 60) == (True, True), bottom
        (tmp_path / "out").write_bytes(data)
        tags = exiftool_tags(tmp_path / "out")
        assert metadata_in(tags) == {}, name
        assert "ICC_Profile:ProfileDescription" in tags or "ICC-header:ProfileVersion" in tags


def test_stored_names_come_from_the_format_and_a_random_id() -> None:
    png = io.BytesIO()
    Image.new("RGB", (30, 20)).save(png, format="PNG")
    pending = store_pending_image(
        upload(png.getvalue(), "ada-at-12-secret-street.jpg"), limits=LIMITS
    )

    processed = process_pending_image(
        pending.name, folder="entries/", limits=LIMITS, renditions={"thumb": (10, 10)}
    )

    assert pending.name.startswith(PENDING_FOLDER)
    assert processed.original is not None
    for name in [pending.name, *processed.names]:
        assert "ada" not in name
        assert "secret" not in name
    assert processed.original.endswith(".png")
    assert processed.renditions["thumb"].endswith("-10x10.png")
    random_part = processed.original.removeprefix("entries/").removesuffix(".png")
    assert len(random_part) == 32
    assert int(random_part, 16) >= 0


def test_the_pipeline_uses_only_the_storage_api() -> None:
    """Any Django storage will do (object storage, say): nothing assumes a local file."""
    from django.core.files.storage import InMemoryStorage

    storage = InMemoryStorage()
    pending = store_pending_image(
        upload(photo_with_gps("WEBP"), "x.webp"), limits=LIMITS, storage=storage
    )

    processed = process_pending_image(
        pending.name,
        folder="entries/",
        limits=LIMITS,
        renditions={"card": (30, 30)},
        keep_original=False,
        storage=storage,
    )

    assert processed.original is None
    assert storage.exists(processed.renditions["card"])
    assert storage.exists(pending.name)  # the caller discards it once it has recorded the result


def gif_with_frames(count: int, size: tuple[int, int] = (8, 8)) -> bytes:
    frames = [Image.new("RGB", size, (index % 256, index // 256, 90)) for index in range(count)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=20)
    return out.getvalue()


def test_a_frame_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(UploadRejectedError, match=r"too many frames \(at most 50\)"):
        inspect_image(upload(gif_with_frames(400), "moving.gif"), limits=LIMITS)


def cut_short(image_format: str) -> bytes:
    data = photo_with_gps(image_format)
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize("image_format", ACCEPTED)
def test_a_file_cut_short_is_refused_before_decoding(image_format: str) -> None:
    with pytest.raises(UploadRejectedError, match="damaged or incomplete"):
        inspect_image(upload(cut_short(image_format), "cut"), limits=LIMITS)


@pytest.mark.parametrize("image_format", [*ACCEPTED, "GIF"])
def test_a_picture_with_a_web_page_after_it_is_refused(image_format: str) -> None:
    data = gif_with_frames(2) if image_format == "GIF" else photo_with_gps(image_format)
    polyglot = data + b"<html><script>alert(document.cookie)</script></html>"

    with pytest.raises(UploadRejectedError, match="holds more than a picture"):
        inspect_image(upload(polyglot, "both.png"), limits=LIMITS)


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"%PDF-1.7\n1 0 obj<<>>endobj\n",
        b"PK\x03\x04" + b"\x00" * 40,
        b"II*\x00\x08\x00\x00\x00",  # a TIFF: Pillow reads it, we do not take it
    ],
    ids=["svg", "pdf", "zip", "tiff"],
)
def test_other_types_are_refused_whatever_their_name(data: bytes) -> None:
    with pytest.raises(UploadRejectedError, match="We take JPEG, PNG, WebP, HEIC, GIF"):
        inspect_image(upload(data, "photo.jpg"), limits=LIMITS)


def test_a_heif_opener_registered_elsewhere_does_not_widen_what_is_taken() -> None:
    """HEIC is taken because the limits say so, not because a library registered a plugin."""
    jpeg_only = ImageLimits(
        max_bytes=LIMITS.max_bytes, max_pixels=LIMITS.max_pixels, formats=frozenset({"JPEG"})
    )

    with pytest.raises(UploadRejectedError, match=r"We take JPEG\.$"):
        inspect_image(upload(photo_with_gps("HEIF"), "photo.jpg"), limits=jpeg_only)


def test_an_oversized_file_is_refused_by_its_size_alone() -> None:
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * LIMITS.max_bytes)

    with pytest.raises(UploadRejectedError, match="larger than 5 MB"):
        inspect_image(big, limits=LIMITS)
