"""Which tags members may follow: the feature apps that tag content say which are public.

A tag that only drafts or embargoed releases carry must be as unknown to members as one
that does not exist, or following it would confirm its name before the lift. The newsroom
registers its check in ``AppConfig.ready()``; a tag is public when any registered app says so.
"""

from __future__ import annotations

from collections.abc import Callable

from taggit.models import Tag

_checks: list[Callable[[Tag], bool]] = []


def register_public_tag_check(check: Callable[[Tag], bool]) -> None:
    """Add ``check`` (True when public content carries the tag); idempotent."""
    if check not in _checks:
        _checks.append(check)


def registered_checks() -> tuple[Callable[[Tag], bool], ...]:
    return tuple(_checks)


def public_tag(slug: str) -> Tag | None:
    """The tag with this slug if any feature app shows public content with it."""
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None or not any(check(tag) for check in _checks):
        return None
    return tag
