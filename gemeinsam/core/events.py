"""Domain events that cross the engagement apps, sent only by services after commit.

``activity_happened`` carries: ``actor`` (the member), ``verb`` (one of VERBS), ``target``
(the object engaged with), and optional ``context`` (a dict, e.g. the comment for "commented"
and "replied" with the members it mentions, the mentioned users for "mentioned", the stars
for "rated"). The community app turns them
into home-feed activity and notifications; nobody else needs to know the others exist.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

VERBS = (
    "faved",
    "shared",
    "rated",
    "commented",
    "replied",
    "mentioned",
    "started_thread",
    "followed",
)

activity_happened = Signal()


def announce(*, actor: Any, verb: str, target: Any, context: dict[str, Any] | None = None) -> None:
    """Send ``activity_happened`` once the current transaction has committed."""
    if verb not in VERBS:
        raise ValueError(f"Unknown verb {verb!r}")
    transaction.on_commit(
        lambda: activity_happened.send(
            sender=type(target), actor=actor, verb=verb, target=target, context=context or {}
        )
    )
