"""Press material: contact vCards and press-kit ZIP archives, built in the background."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from babel import Locale as BabelLocale
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gemeinsam.newsroom.models import PressContact, PressKitPage

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------- vCard

VCARD_LINE_OCTETS = 75
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def vcard_escape(value: str) -> str:
    """Escape a text value for vCard 3.0: backslash, comma, semicolon and line breaks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def vcard_fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never splitting a character.

    Continuation lines start with one space, which the reader removes (RFC 6350 3.2).
    """
    if len(line.encode("utf-8")) <= VCARD_LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = VCARD_LINE_OCTETS
    for character in line:
        octets = len(character.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, VCARD_LINE_OCTETS - 1  # room for the leading space
        current.append(character)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Language names in English, German and their own tongue, lower-cased, to BCP 47 tags."""
    names: dict[str, str] = {}
    for display in ("en", "de"):
        for code, name in BabelLocale(display).languages.items():
            if "_" not in code:
                names.setdefault(name.lower(), code)
    for code, _label in settings.LANGUAGES:
        own = BabelLocale.parse(code).get_language_name(code)
        if own:
            names.setdefault(own.lower(), code)
    return names


def language_tags(languages: str) -> list[str]:
    """BCP 47 tags for a free-text list such as "German, English" (unknown names are left out)."""
    tags: list[str] = []
    for entry in re.split(r"[,;/]| and | und ", languages):
        name = entry.strip()
        if not name:
            continue
        tag = _language_names().get(name.lower())
        if tag is None and _LANGUAGE_TAG.match(name):
            tag = name
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) names: the last word is taken as the family name."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return words[-1], " ".join(words[:-1])


def contact_vcard_text(contact: PressContact) -> str:
    """The vCard 3.0 text of a press contact, CRLF line ends, folded and escaped."""
    family, given = _split_name(contact.name)
    uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/contacts/{contact.pk}")
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//Gemeinsam//Newsroom//EN",
        f"UID:urn:uuid:{uid}",
        f"FN:{vcard_escape(contact.name)}",
        f"N:{vcard_escape(family)};{vcard_escape(given)};;;",
    ]
    if contact.organisation:
        lines.append(f"ORG:{vcard_escape(contact.organisation)}")
    if contact.role:
        lines.append(f"TITLE:{vcard_escape(contact.role)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK,PREF:{vcard_escape(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{vcard_escape(contact.phone)}")
    if contact.mobile:
        lines.append(f"TEL;TYPE=CELL,VOICE:{vcard_escape(contact.mobile)}")
    if contact.languages:
        lines.extend(f"LANG:{tag}" for tag in language_tags(contact.languages))
        note = _("Languages: %(languages)s") % {"languages": contact.languages}
        lines.append(f"NOTE:{vcard_escape(note)}")
    lines.append("END:VCARD")
    return "".join(vcard_fold(line) + "\r\n" for line in lines)


# -------------------------------------------------------------------------- press-kit ZIP

ARCHIVE_DIR = "presskits"
PENDING_SECONDS = 10 * 60
# After a failed build the download page says so (instead of waiting) for this long.
FAILED_SECONDS = 10 * 60
COPY_CHUNK = 1024 * 1024
_ALREADY_COMPRESSED = {"jpg", "jpeg", "png", "gif", "webp", "avif", "zip", "mp4", "webm"}


@dataclass(frozen=True)
class KitFile:
    """One file of a press kit and the name it gets inside the archive."""

    kind: str  # "image" or "document"
    object_id: int
    title: str
    file: FieldFile
    size: int
    archive_name: str
    credit: str = ""


def public_press_kit(pk: int) -> PressKitPage | None:
    """The press kit with this id if it is live and not behind a view restriction."""
    return PressKitPage.objects.live().public().filter(pk=pk).first()


def _stored_size(file: FieldFile, recorded: int | None) -> int:
    if recorded is not None:
        return recorded
    try:
        return int(file.storage.size(str(file.name)))
    except (OSError, NotImplementedError):
        return -1


def _safe_stem(title: str, stored_name: str, fallback: str) -> str:
    stem = slugify(title) or slugify(PurePosixPath(stored_name).stem) or fallback
    return stem[:80].strip("-_") or fallback


def _safe_suffix(stored_name: str) -> str:
    suffix = PurePosixPath(stored_name).suffix.lower().lstrip(".")
    return f".{suffix}" if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else ""


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate = f"{stem}-{number}{dot}{suffix}"
        number += 1
    taken.add(candidate.lower())
    return candidate


def kit_files(page: PressKitPage) -> list[KitFile]:
    """The kit's original image files, then its documents, each once, with archive names.

    Documents in a collection with a view restriction are left out: they are not public.
    """
    files: list[KitFile] = []
    taken: set[str] = {"readme.txt"}
    seen: set[tuple[str, int]] = set()
    for item in page.kit_images.select_related("image").order_by("sort_order", "pk"):
        image = item.image
        if ("image", image.pk) in seen or not image.file:
            continue
        seen.add(("image", image.pk))
        stem = _safe_stem(image.title, image.file.name, f"image-{image.pk}")
        files.append(
            KitFile(
                kind="image",
                object_id=image.pk,
                title=image.title,
                file=image.file,
                size=_stored_size(image.file, image.file_size),
                archive_name=_unique(f"images/{stem}{_safe_suffix(image.file.name)}", taken),
                credit=image.attribution,
            )
        )
    for item in page.kit_documents.select_related("document__collection").order_by(
        "sort_order", "pk"
    ):
        document = item.document
        if ("document", document.pk) in seen or not document.file:
            continue
        if document.collection.get_view_restrictions().exists():
            continue
        seen.add(("document", document.pk))
        stem = _safe_stem(document.title, document.file.name, f"document-{document.pk}")
        files.append(
            KitFile(
                kind="document",
                object_id=document.pk,
                title=document.title,
                file=document.file,
                size=_stored_size(document.file, document.file_size),
                archive_name=_unique(f"documents/{stem}{_safe_suffix(document.file.name)}", taken),
            )
        )
    return files


def archive_name(page: PressKitPage, files: list[KitFile]) -> str:
    """The storage name of the archive for this exact state of the kit.

    A keyed hash of the page id, its latest revision and every file's stored name and size:
    any edit or replaced file gives a new name, so a stale archive is never served, and the
    name cannot be guessed from public facts.
    """
    payload = "|".join(
        [str(page.pk), str(page.latest_revision_id or 0)]
        + [f"{f.kind}:{f.object_id}:{f.file.name}:{f.size}:{f.archive_name}" for f in files]
    )
    digest = salted_hmac("gemeinsam.newsroom.press-kit", payload, algorithm="sha256").hexdigest()
    return f"{ARCHIVE_DIR}/kit-{page.pk}-{digest[:40]}.zip"


class PressKitArchiveError(OSError):
    """The archive of a press kit could not be built (a full disk, say); nothing was kept."""


def pending_key(name: str) -> str:
    return f"presskit:pending:{name}"


def failed_key(name: str) -> str:
    return f"presskit:failed:{name}"


def _readme(page: PressKitPage, files: list[KitFile]) -> str:
    with translation.override(page.locale.language_code):
        lines = [page.title, "=" * len(page.title), ""]
        url = page.full_url
        if url:
            lines += [url, ""]
        images = [f for f in files if f.kind == "image"]
        documents = [f for f in files if f.kind == "document"]
        if images:
            lines += [_("Images (please print the credit with every image):"), ""]
            lines += [f"- {f.archive_name}: {f.title} — {f.credit}" for f in images]
            lines.append("")
        if documents:
            lines += [_("Documents:"), ""]
            lines += [f"- {f.archive_name}: {f.title}" for f in documents]
            lines.append("")
    return "\r\n".join(lines)


def _zip_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment or timezone.now())
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _write_archive(target: Any, page: PressKitPage, files: list[KitFile]) -> list[KitFile]:
    """Write the ZIP into ``target``; a file missing from storage is left out (and logged).

    Returns the files written. README.txt comes last so that it lists only those.
    """
    stamp = _zip_time(page.last_published_at)
    written: list[KitFile] = []
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for kit_file in files:
            try:
                source = kit_file.file.storage.open(str(kit_file.file.name), "rb")
            except OSError:
                logger.warning("Press kit %s: %s is missing.", page.pk, kit_file.file.name)
                continue
            info = zipfile.ZipInfo(kit_file.archive_name, date_time=stamp)
            suffix = PurePosixPath(kit_file.archive_name).suffix.lstrip(".")
            info.compress_type = (
                zipfile.ZIP_STORED if suffix in _ALREADY_COMPRESSED else zipfile.ZIP_DEFLATED
            )
            with source, archive.open(info, "w", force_zip64=True) as destination:
                shutil.copyfileobj(source, destination, COPY_CHUNK)
            written.append(kit_file)
        readme = zipfile.ZipInfo("README.txt", date_time=stamp)
        readme.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(readme, _readme(page, written).encode("utf-8"))
    return written


def _remove_stale_archives(page_id: int, keep: str) -> None:
    """Delete this kit's older archives, and anyone's unfinished ones left by a crash."""
    prefix = f"kit-{page_id}-"
    try:
        _dirs, names = default_storage.listdir(ARCHIVE_DIR)
    except (OSError, NotImplementedError):
        return
    for name in names:
        path = f"{ARCHIVE_DIR}/{name}"
        stale = name.startswith(prefix) and path != keep
        unfinished = name.startswith("partial-") and _older_than(path, PENDING_SECONDS)
        if stale or unfinished:
            default_storage.delete(path)


def _older_than(path: str, seconds: float) -> bool:
    try:
        modified = default_storage.get_modified_time(path)
    except (OSError, NotImplementedError):
        return False
    return (timezone.now() - modified).total_seconds() > seconds


def _verify_archive(name: str) -> None:
    """Raise ``zipfile.BadZipFile`` unless the stored archive reads back whole (every CRC)."""
    with default_storage.open(name, "rb") as stored, zipfile.ZipFile(stored) as archive:
        broken = archive.testzip()
    if broken is not None:
        raise zipfile.BadZipFile(f"{broken} does not match its checksum")


def _store_atomically(buffer: Any, name: str) -> None:
    """Store the finished archive in ``buffer`` under ``name``, whole or not at all.

    It is written under a temporary name first and read back; only then does it take its
    final name (an atomic rename on local disk; on storage without local paths, a copy of
    the verified file: an object store keeps an object whole or not at all). A failure
    removes the partial file and raises.
    """
    temporary = f"{ARCHIVE_DIR}/partial-{uuid.uuid4().hex}.zip"
    try:
        temporary = default_storage.save(temporary, File(buffer, name="archive.zip"))
        _verify_archive(temporary)
        try:
            source, target = default_storage.path(temporary), default_storage.path(name)
        except NotImplementedError:
            with default_storage.open(temporary, "rb") as complete:
                saved = default_storage.save(name, File(complete, name="archive.zip"))
            if saved != name:  # another worker finished the same archive first
                default_storage.delete(saved)
        else:
            os.replace(source, target)
    finally:
        with contextlib.suppress(OSError):
            if default_storage.exists(temporary):
                default_storage.delete(temporary)


def build_press_kit_archive(*, page_id: int) -> str | None:
    """Build the ZIP of a live, public press kit in default storage; return its name.

    The archive holds README.txt (title, address, and the credit and licence of every
    image) and exactly the kit's files: its original image files under ``images/`` and its
    public documents under ``documents/``, each once, with names made from their titles
    (a file missing from storage is left out and logged rather than failing the kit).
    Idempotent: an archive for the kit's current state is not built twice. Returns None,
    building nothing, when the kit does not exist or is not live and public. Side effects:
    writes ``presskits/kit-<id>-<hash>.zip`` only once it is complete and reads back whole,
    and deletes that kit's older archives. Raises ``PressKitArchiveError`` (logged, and
    remembered for the download page) when it cannot be written; no partial file is kept.
    """
    page = public_press_kit(page_id)
    if page is None:
        return None
    files = kit_files(page)
    name = archive_name(page, files)
    # Until the archive is complete, the download view answers "being prepared".
    cache.set(pending_key(name), True, PENDING_SECONDS)
    try:
        if default_storage.exists(name):
            return name
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
            written = _write_archive(buffer, page, files)
            buffer.seek(0)
            _store_atomically(buffer, name)
    except (OSError, zipfile.BadZipFile) as error:
        logger.error("Press kit %s: the archive could not be built: %s", page.pk, error)
        cache.set(failed_key(name), True, FAILED_SECONDS)
        raise PressKitArchiveError(f"The archive of press kit {page.pk} failed: {error}") from error
    finally:
        cache.delete(pending_key(name))
    cache.delete(failed_key(name))
    _remove_stale_archives(page.pk, keep=name)
    logger.info("Built press-kit archive %s with %d file(s).", name, len(written))
    return name


def open_complete_archive(name: str) -> Any | None:
    """The stored archive opened for reading, or None when it is missing or not a whole ZIP.

    Reading the central directory at its end is cheap and catches a truncated file (one
    written before archives were stored atomically); such a file is deleted, to be rebuilt.
    """
    try:
        archive = default_storage.open(name, "rb")
    except FileNotFoundError:
        return None
    try:
        zipfile.ZipFile(archive).close()
    except (zipfile.BadZipFile, OSError, EOFError):
        archive.close()
        logger.warning("Press-kit archive %s is damaged; building it again.", name)
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        return None
    archive.seek(0)
    return archive
