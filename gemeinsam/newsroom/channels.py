"""Outside channels: pull each channel's RSS or Atom feed and keep its newest items.

Feeds come from addresses editors typed in, so every fetch goes through
:func:`gemeinsam.core.outbound.fetch` (no private networks, capped size and time) and every
body is parsed with defusedxml first, which refuses DTDs and entity declarations (billion
laughs, external entities), before feedparser reads it. A pull never raises: the outcome
is recorded on the channel as its status and a one-line message for the editors.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import feedparser
import nh3
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.outbound import OutboundError, fetch
from gemeinsam.newsroom.models import ChannelItem, OutsideChannel

logger = logging.getLogger(__name__)

MAX_ITEMS = 100
SUMMARY_CHARS = 500
TITLE_CHARS = 300
GUID_CHARS = 500
LINK_CHARS = 1000
HEADER_CHARS = 200
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(br|p|div|li|ul|ol|h[1-6]|blockquote|tr|td|th)\b[^>]*>", re.I)
_WHITESPACE = re.compile(r"\s+")
_http_url = URLValidator(schemes=["http", "https"])


class FeedError(Exception):
    """The body is not a feed we accept; the message says why, for the editors."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, cleaned and ready to store."""

    guid: str
    title: str
    link: str
    summary: str
    published_at: datetime
    has_date: bool


@dataclass(frozen=True)
class ParsedFeed:
    items: list[FeedItem]
    skipped: int


# ------------------------------------------------------------------------------- parsing


def check_xml(body: bytes) -> None:
    """Raise :class:`FeedError` unless ``body`` is well-formed XML without a DTD or entities."""
    try:
        defused_fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as error:
        raise FeedError(
            _("The feed declares a document type (DTD), which is refused for safety.")
        ) from error
    except EntitiesForbidden as error:
        raise FeedError(
            _("The feed declares XML entities, which are refused for safety.")
        ) from error
    except ExternalReferenceForbidden as error:
        raise FeedError(
            _("The feed refers to external XML resources, which are refused for safety.")
        ) from error
    except DefusedXmlException as error:
        raise FeedError(_("The feed uses XML features that are refused for safety.")) from error
    except (ParseError, ValueError) as error:
        raise FeedError(_("The feed is not valid XML: %(error)s") % {"error": error}) from error


def plain_text(value: str) -> str:
    """Markup removed, entities decoded, white space collapsed: text to show escaped."""
    spaced = _BLOCK_TAG.sub(" ", value)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return _WHITESPACE.sub(" ", text).strip()


def _is_http_url(value: str) -> bool:
    if not value or len(value) > LINK_CHARS:
        return False
    try:
        _http_url(value)
    except ValidationError:
        return False
    return True


def _entry_time(entry: Any, *, now: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                continue
            return min(moment, now)  # a date in the future would pin the item on top
    return None


def _guid(entry: Any, link: str) -> str:
    guid = str(entry.get("id") or "").strip() or link
    if len(guid) > GUID_CHARS:
        guid = "sha256:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()
    return guid


def parse_feed(
    body: bytes, *, base_url: str, content_type: str = "", now: datetime | None = None
) -> ParsedFeed:
    """The newest :data:`MAX_ITEMS` entries of an RSS or Atom document, cleaned.

    Entries without an http(s) link are skipped (and counted). Titles and summaries become
    plain text; an entry without a date gets ``now``. Raises :class:`FeedError` for XML
    that is malformed or declares a DTD or entities, and for documents that are no feed.
    """
    now = now or timezone.now()
    check_xml(body)
    parsed = feedparser.parse(
        io.BytesIO(body),  # never a str or bytes: feedparser would try it as a path or URL
        response_headers={
            "content-location": base_url,
            "content-type": content_type or "application/xml",
        },
    )
    if not parsed.get("version"):
        raise FeedError(_("The document is valid XML but not an RSS or Atom feed."))
    items: dict[str, FeedItem] = {}
    skipped = 0
    for entry in parsed.entries:
        link = str(entry.get("link") or "").strip()
        if not _is_http_url(link):
            skipped += 1
            continue
        guid = _guid(entry, link)
        if guid in items:
            continue
        summary = plain_text(str(entry.get("summary") or ""))
        title = plain_text(str(entry.get("title") or "")) or Truncator(summary).chars(80) or link
        published = _entry_time(entry, now=now)
        items[guid] = FeedItem(
            guid=guid,
            title=Truncator(title).chars(TITLE_CHARS),
            link=link,
            summary=Truncator(summary).chars(SUMMARY_CHARS),
            published_at=published or now,
            has_date=published is not None,
        )
    newest = sorted(items.values(), key=lambda item: item.published_at, reverse=True)
    return ParsedFeed(items=newest[:MAX_ITEMS], skipped=skipped)


# ------------------------------------------------------------------------------- storing


def store_items(channel: OutsideChannel, items: list[FeedItem]) -> bool:
    """Create new items, update changed ones, and keep the channel's newest :data:`MAX_ITEMS`.

    Idempotent: storing the same items again changes nothing. An item without a date keeps
    the time it was first seen. Returns whether anything changed.
    """
    fields = ["title", "link", "summary", "published_at"]
    with transaction.atomic():
        existing = {
            item.guid: item
            for item in ChannelItem.objects.filter(
                channel=channel, guid__in=[item.guid for item in items]
            )
        }
        created: list[ChannelItem] = []
        updated: list[ChannelItem] = []
        for item in items:
            current = existing.get(item.guid)
            if current is None:
                created.append(
                    ChannelItem(
                        channel=channel,
                        guid=item.guid,
                        title=item.title,
                        link=item.link,
                        summary=item.summary,
                        published_at=item.published_at,
                    )
                )
                continue
            values: dict[str, object] = {
                "title": item.title,
                "link": item.link,
                "summary": item.summary,
            }
            if item.has_date:
                values["published_at"] = item.published_at
            if any(getattr(current, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(current, name, value)
                updated.append(current)
        ChannelItem.objects.bulk_create(created, ignore_conflicts=True)
        if updated:
            ChannelItem.objects.bulk_update(updated, fields)
        keep = list(
            ChannelItem.objects.filter(channel=channel)
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[:MAX_ITEMS]
        )
        removed = ChannelItem.objects.filter(channel=channel).exclude(pk__in=keep).delete()[0]
    changed = bool(created or updated or removed)
    if changed:
        public_content_changed()
    return changed


# ------------------------------------------------------------------------------- pulling


def _record(
    channel: OutsideChannel,
    *,
    status: str,
    message: str,
    etag: str | None = None,
    modified: str | None = None,
) -> str:
    channel.status = status
    channel.status_message = message[:500]
    channel.last_fetched_at = timezone.now()
    fields = ["status", "status_message", "last_fetched_at"]
    if etag is not None:
        channel.etag = etag[:HEADER_CHARS]
        fields.append("etag")
    if modified is not None:
        channel.modified = modified[:HEADER_CHARS]
        fields.append("modified")
    channel.save(update_fields=fields)
    return status


def _http_message(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP {status} {phrase}".strip()


def _pull(channel: OutsideChannel) -> str:
    headers = {"Accept": ACCEPT}
    if channel.etag:
        headers["If-None-Match"] = channel.etag
    if channel.modified:
        headers["If-Modified-Since"] = channel.modified
    try:
        result = fetch(
            channel.feed_url,
            max_bytes=settings.OUTBOUND_MAX_BYTES,
            timeout=settings.OUTBOUND_TIMEOUT_SECONDS,
            headers=headers,
        )
    except OutboundError as error:
        return _record(channel, status=OutsideChannel.Status.FAILED, message=error.message)
    if result.status == HTTPStatus.NOT_MODIFIED:
        return _record(channel, status=OutsideChannel.Status.OK, message=_("Not modified"))
    if result.status != HTTPStatus.OK:
        return _record(
            channel, status=OutsideChannel.Status.FAILED, message=_http_message(result.status)
        )
    try:
        feed = parse_feed(
            result.body,
            base_url=result.final_url,
            content_type=result.headers.get("content-type", ""),
        )
    except FeedError as error:
        return _record(channel, status=OutsideChannel.Status.FAILED, message=error.message)
    store_items(channel, feed.items)
    count = len(feed.items)
    message = ngettext("Fetched %(count)d item", "Fetched %(count)d items", count) % {
        "count": count
    }
    if feed.skipped:
        message += ngettext(
            " (%(skipped)d without a web address skipped)",
            " (%(skipped)d without a web address skipped)",
            feed.skipped,
        ) % {"skipped": feed.skipped}
    return _record(
        channel,
        status=OutsideChannel.Status.OK,
        message=message,
        etag=result.headers.get("etag", ""),
        modified=result.headers.get("last-modified", ""),
    )


def pull_channel(*, channel_id: int) -> str:
    """Fetch one channel's feed and store its items; never raises.

    Sends the stored ETag and Last-Modified so an unchanged feed costs one short answer.
    Pulls whether or not the channel is active (an editor may test one). Records status
    (ok or failed), a message and the time on the channel. Returns the new status, or ""
    when no channel has this id.
    """
    channel = OutsideChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        logger.warning("Outside channel %s does not exist.", channel_id)
        return ""
    try:
        return _pull(channel)
    except Exception:
        logger.exception("Pulling outside channel %s failed.", channel_id)
        try:
            return _record(
                channel,
                status=OutsideChannel.Status.FAILED,
                message=_("The feed could not be processed because of an internal error."),
            )
        except Exception:
            logger.exception("Recording the failure of outside channel %s failed.", channel_id)
            return str(OutsideChannel.Status.FAILED)


def pull_all_channels() -> int:
    """Pull every active channel, one after another; returns how many were pulled."""
    channel_ids = list(
        OutsideChannel.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    for channel_id in channel_ids:
        pull_channel(channel_id=channel_id)
    return len(channel_ids)
