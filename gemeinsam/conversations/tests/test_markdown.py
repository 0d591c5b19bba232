"""Comment Markdown renders a small safe subset and leaves every script inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from gemeinsam.conversations.markdown import ALLOWED_TAGS, mention_handles, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "![x](https://evil.example/x.png)",
    '<div style="position:fixed">x</div>',
    "[x](vbscript:msgbox(1))",
    "<<script>script>alert(1)<</script>/script>",
    '"><img src=x onerror=alert(1)>',
]


class _Elements(HTMLParser):
    """Collects every element and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_dangerous_markup_renders_inert(payload: str) -> None:
    """Whatever is written, only allow-listed elements with safe attributes come out."""
    for tag, attrs in _elements(render_markdown(payload)):
        assert tag in ALLOWED_TAGS
        for name, value in attrs.items():
            assert name in {"href", "rel", "start"}
            assert not name.startswith("on")
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_subset_renders_emphasis_code_lists_quotes_and_links() -> None:
    html = render_markdown(
        "*em* **strong** `code`\n\n- one\n- two\n\n1. first\n\n> quoted\n\n"
        "[site](https://example.org) <mailto:a@example.org>"
    )
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert "<blockquote>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">site</a>' in html
    assert 'href="mailto:a@example.org"' in html


def test_headings_images_and_relative_links_are_not_rendered() -> None:
    html = render_markdown("# Shout\n\n![pic](https://example.org/a.png) [admin](/admin/)")
    assert "<h1" not in html
    assert "<img" not in html
    assert 'href="/admin/"' not in html


def test_mentions_are_found_outside_code_and_link_labels() -> None:
    body = "@Jane_Doe look, `@Code` and [@Label](https://example.org) and @member-7 @jane_doe"
    assert mention_handles(body) == ["Jane_Doe", "member-7"]


def test_an_email_address_is_not_a_mention() -> None:
    assert mention_handles("write to jane@example.org") == []
