"""Import a WordPress export (WXR): posts as articles, categories as topics, tags, authors,
published dates, and comments with their threading.

The file is parsed completely through defusedxml before anything is stored, so a malformed
or hostile file stores nothing. Each post is then stored with its comments in a transaction
of its own, so a long import never holds the database's write lock for long. Every imported
post and comment is remembered by its WordPress id (:class:`ImportedItem`) in the same
transaction, so importing the same export again, also after an import that stopped half-way,
creates no duplicates and completes what is missing. Password-protected posts are imported
as drafts, never published. Both the ``http://`` and the ``https://`` WordPress export
namespaces work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail.models import Locale

from gemeinsam.conversations.models import Comment
from gemeinsam.conversations.services import import_comment
from gemeinsam.newsroom.models import ArticlePage, Author, ImportedItem, StoryIndexPage, Topic

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
# The export's own namespace, e.g. https://wordpress.org/export/1.2/ (not …/1.2/excerpt/).
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+(?:\.\d+)*/$")
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
ALLOWED_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "br",
    "code",
    "pre",
}
BLOCK_START = re.compile(r"^\s*<(p|ul|ol|blockquote|h[1-6]|pre|div|figure|table)\b", re.I)


class WordPressImportError(ValueError):
    """The file cannot be imported; the message says why."""


class ImportInterruptedError(WordPressImportError):
    """The database refused a post half-way; the posts before it are stored (``result``)."""

    def __init__(self, message: str, result: ImportResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class WpComment:
    wp_id: str
    parent_id: str
    author: str
    content: str
    date: datetime


@dataclass
class WpPost:
    wp_id: str
    title: str
    slug: str
    content: str
    excerpt: str
    author_login: str
    date: datetime
    # WordPress showed it only to readers with its password: imported as a draft.
    is_password_protected: bool = False
    categories: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    tags: list[tuple[str, str]] = field(default_factory=list)
    comments: list[WpComment] = field(default_factory=list)


@dataclass
class WpExport:
    site: str
    authors: dict[str, str]  # login -> display name
    posts: list[WpPost]


@dataclass
class ImportResult:
    posts_created: int = 0
    posts_skipped: int = 0
    comments_created: int = 0
    comments_skipped: int = 0
    authors_created: int = 0
    # Titles of the posts imported as drafts because WordPress protected them by password.
    drafts: list[str] = field(default_factory=list)


def _wp_namespace(root: Element) -> str:
    for element in root.iter():
        for name in (element.tag, *element.attrib):
            if isinstance(name, str) and name.startswith("{"):
                namespace = name[1 : name.index("}")]
                if WP_NAMESPACE.match(namespace):
                    return namespace
    raise WordPressImportError("This is not a WordPress export: no WordPress namespace found.")


def _date(value: str | None) -> datetime:
    if not value or value.startswith("0000"):
        return timezone.now()
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return timezone.now()


def parse_export(data: bytes) -> WpExport:
    """Read a WXR file into plain data; raises :class:`WordPressImportError` for bad files."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException) as error:
        raise WordPressImportError(f"The file is not valid XML: {error}") from error
    namespace = _wp_namespace(root)
    wp = "{" + namespace + "}"
    excerpt = "{" + namespace + "excerpt/}encoded"
    channel = root.find("channel")
    if channel is None:
        raise WordPressImportError("This is not a WordPress export: it has no <channel>.")

    def text(element: Element, tag: str) -> str:
        found = element.find(tag)
        return (found.text or "") if found is not None else ""

    authors = {
        text(author, f"{wp}author_login"): text(author, f"{wp}author_display_name")
        or text(author, f"{wp}author_login")
        for author in channel.findall(f"{wp}author")
    }
    posts = []
    for item in channel.findall("item"):
        if text(item, f"{wp}post_type") != "post" or text(item, f"{wp}status") != "publish":
            continue
        post = WpPost(
            wp_id=text(item, f"{wp}post_id"),
            title=text(item, "title").strip() or "(untitled)",
            slug=text(item, f"{wp}post_name"),
            content=text(item, CONTENT),
            excerpt=text(item, excerpt),
            author_login=text(item, DC_CREATOR),
            date=_date(text(item, f"{wp}post_date_gmt") or text(item, f"{wp}post_date")),
            is_password_protected=bool(text(item, f"{wp}post_password").strip()),
        )
        for category in item.findall("category"):
            pair = (category.get("nicename") or slugify(category.text or ""), category.text or "")
            if category.get("domain") == "category":
                post.categories.append(pair)
            elif category.get("domain") == "post_tag":
                post.tags.append(pair)
        for comment in item.findall(f"{wp}comment"):
            if text(comment, f"{wp}comment_approved") != "1":
                continue
            if text(comment, f"{wp}comment_type") not in ("", "comment"):
                continue
            post.comments.append(
                WpComment(
                    wp_id=text(comment, f"{wp}comment_id"),
                    parent_id=text(comment, f"{wp}comment_parent"),
                    author=text(comment, f"{wp}comment_author") or "Guest",
                    content=text(comment, f"{wp}comment_content"),
                    date=_date(
                        text(comment, f"{wp}comment_date_gmt") or text(comment, f"{wp}comment_date")
                    ),
                )
            )
        posts.append(post)
    return WpExport(site=text(channel, "link"), authors=authors, posts=posts)


def _html(content: str) -> str:
    """WordPress keeps paragraphs as blank lines; wrap them, then sanitise."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", content) if block.strip()]
    html = "".join(
        block if BLOCK_START.match(block) else f"<p>{block.replace(chr(10), '<br>')}</p>"
        for block in blocks
    )
    return nh3.clean(html, tags=ALLOWED_TAGS, link_rel="nofollow noopener")


def _summary(post: WpPost) -> str:
    source = strip_tags(post.excerpt or post.content)
    words = " ".join(source.split())
    return (words[:297] + "…") if len(words) > 300 else words or post.title


def import_export(
    export: WpExport,
    *,
    index: StoryIndexPage,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Store the export's posts under ``index`` and their comments; idempotent.

    Each post is committed with its comments (authors first, together): a failure keeps
    the posts stored before it, and running the import again adds the rest. Published posts
    go live with their WordPress date; password-protected ones are stored as drafts and
    listed in the result's ``drafts``.
    """
    result = ImportResult()
    source = export.site or "wordpress"
    with transaction.atomic():
        authors = _authors(export, result)
    for number, post in enumerate(export.posts, start=1):
        try:
            with transaction.atomic():
                page = _post(post, index=index, source=source, authors=authors, result=result)
                _comments(post.comments, page=page, source=source, result=result)
        except DatabaseError as error:
            raise ImportInterruptedError(
                f"The database refused post {number} of {len(export.posts)} "
                f"({post.title!r}): {error}.",
                result,
            ) from error
        if progress is not None:
            progress(number, len(export.posts))
    return result


def _authors(export: WpExport, result: ImportResult) -> dict[str, Author]:
    found = {}
    for login, name in export.authors.items():
        author, created = Author.objects.get_or_create(
            slug=slugify(login, allow_unicode=True) or slugify(name), defaults={"name": name}
        )
        result.authors_created += int(created)
        found[login] = author
    return found


def _known(source: str, kind: str, wp_ids: Iterable[str]) -> dict[str, int]:
    return dict(
        ImportedItem.objects.filter(
            source=source, kind=kind, source_id__in=list(wp_ids)
        ).values_list("source_id", "object_id")
    )


def _post(
    post: WpPost,
    *,
    index: StoryIndexPage,
    source: str,
    authors: dict[str, Author],
    result: ImportResult,
) -> ArticlePage:
    known = _known(source, "post", [post.wp_id])
    if post.wp_id in known:
        result.posts_skipped += 1
        return ArticlePage.objects.get(pk=known[post.wp_id])
    slug = slugify(post.slug or post.title, allow_unicode=True)[:200] or f"post-{post.wp_id}"
    if index.get_children().filter(slug=slug).exists():
        slug = f"{slug}-{post.wp_id}"
    locale: Locale = index.locale
    topic = None
    if post.categories:
        category_slug, category_name = post.categories[0]
        topic = Topic.objects.get_or_create(
            locale=locale,
            slug=slugify(category_slug)[:80] or "general",
            defaults={"name": category_name[:80]},
        )[0]
    page = index.add_child(
        instance=ArticlePage(
            title=post.title[:255],
            slug=slug,
            summary=_summary(post),
            body=[("paragraph", _html(post.content))],
            topic=topic,
            live=False,
        )
    )
    if post.author_login in authors:
        page.authors.set([authors[post.author_login]])
    tags = [name for _slug, name in post.tags] + [name for _slug, name in post.categories[1:]]
    if tags:
        page.tags.set(tags)
    page.save()
    revision = page.save_revision()
    if post.is_password_protected:
        result.drafts.append(page.title)
    else:
        revision.publish()
        ArticlePage.objects.filter(pk=page.pk).update(
            first_published_at=post.date, last_published_at=post.date
        )
    ImportedItem.objects.create(source=source, kind="post", source_id=post.wp_id, object_id=page.pk)
    result.posts_created += 1
    page.refresh_from_db()
    return page


def _comments(
    comments: list[WpComment], *, page: ArticlePage, source: str, result: ImportResult
) -> None:
    known = _known(source, "comment", [comment.wp_id for comment in comments])
    stored: dict[str, Comment] = {}
    if known:
        stored = {
            wp_id: comment
            for comment in Comment.objects.filter(pk__in=known.values())
            for wp_id, pk in known.items()
            if pk == comment.pk
        }
    pending = [comment for comment in comments if comment.wp_id not in known]
    result.comments_skipped += len(comments) - len(pending)
    # Parents first: keep going while some comment's parent is now stored.
    while pending:
        ready = [c for c in pending if c.parent_id in ("", "0") or c.parent_id in stored]
        if not ready:  # parents missing from the export: keep them as top-level comments
            ready = pending
            for comment in ready:
                comment.parent_id = ""
        for comment in sorted(ready, key=lambda c: (c.date, int(c.wp_id or 0))):
            saved = import_comment(
                target=page,
                body=strip_tags(comment.content).strip(),
                created_at=comment.date,
                guest_name=comment.author[:80],
                parent=stored.get(comment.parent_id),
            )
            ImportedItem.objects.create(
                source=source, kind="comment", source_id=comment.wp_id, object_id=saved.pk
            )
            stored[comment.wp_id] = saved
            result.comments_created += 1
        pending = [comment for comment in pending if comment not in ready]
