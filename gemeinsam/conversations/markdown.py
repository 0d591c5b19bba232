"""Comment Markdown: a small, safe subset rendered with markdown-it and sanitised with nh3."""

from __future__ import annotations

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt

# Paragraphs, line breaks, emphasis, strong, code, links, lists and quotes; nothing else.
ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# "@Jane_Doe" (a display name, underscores for spaces) or "@member-42" (a member's id).
MENTION_PATTERN = re.compile(r"(?<![\w@])@([^\W_][\w.\-]*\w|[^\W_])", re.UNICODE)
MENTION_ID_PATTERN = re.compile(r"member-(\d{1,12})", re.IGNORECASE)
MAX_MENTIONS = 10


@cache
def _parser() -> MarkdownIt:
    # html=False: raw HTML in a comment is shown as text, never interpreted.
    return MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
        ["image", "heading", "lheading", "hr", "html_block", "html_inline", "reference"]
    )


def render_markdown(body: str) -> str:
    """The sanitised HTML for a comment body: markdown-it renders with raw HTML escaped,
    then nh3 keeps only the allow-listed tags, attributes and link schemes. Every link
    gets ``rel="nofollow ugc noopener"``; relative links are dropped (a comment cannot
    point into the site's own admin with a friendly-looking label)."""
    html = _parser().render(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        url_relative="deny",
        strip_comments=True,
    ).strip()


def mention_handles(body: str) -> list[str]:
    """The mention handles in ``body`` in order of first appearance, without the "@", at
    most :data:`MAX_MENTIONS`. Text in code and in link labels does not mention anyone."""
    handles: list[str] = []
    for token in _parser().parse(body):
        if token.type != "inline" or not token.children:
            continue
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                for match in MENTION_PATTERN.finditer(child.content):
                    handle = match.group(1)
                    if handle.lower() not in (h.lower() for h in handles):
                        handles.append(handle)
    return handles[:MAX_MENTIONS]


def handle_for(display_name: str) -> str:
    """The "@" handle that mentions a member by display name: spaces become underscores."""
    return "_".join(display_name.split())
