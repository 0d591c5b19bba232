"""Mentions in comments: which members a text mentions, and announcing them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gemeinsam.accounts.models import User
from gemeinsam.accounts.selectors import blocked_user_ids
from gemeinsam.conversations.markdown import MENTION_ID_PATTERN, handle_for, mention_handles
from gemeinsam.conversations.models import Comment
from gemeinsam.core.events import Mentioned, announce


def mentioned_members(*, author: User, body: str) -> list[User]:
    """The members that ``body`` mentions and ``author`` may mention, in order of mention.

    A mention is "@" followed by a member's display name with underscores for spaces
    ("@Jane_Doe", any letter case, only when exactly one member has that display name) or
    "@member-<id>". The author, inactive members and members blocked either way are left
    out silently; at most ten members are mentioned per comment.
    """
    handles = mention_handles(body)
    if not handles:
        return []
    ids: dict[str, int] = {}
    names: list[str] = []
    for handle in handles:
        match = MENTION_ID_PATTERN.fullmatch(handle)
        if match:
            ids[handle.lower()] = int(match.group(1))
        else:
            names.append(handle)
    condition = Q(pk__in=list(ids.values()))
    for name in names:
        condition |= Q(display_name__iexact=name.replace("_", " "))
    candidates = list(User.objects.filter(condition, is_active=True))
    by_id = {user.pk: user for user in candidates}
    by_name: dict[str, list[User]] = {}
    for user in candidates:
        by_name.setdefault(handle_for(user.display_name).lower(), []).append(user)
    excluded = blocked_user_ids(author) | {author.pk}
    found: list[User] = []
    for handle in handles:
        if handle.lower() in ids:
            named = by_id.get(ids[handle.lower()])
            matches = [named] if named is not None else []
        else:
            matches = by_name.get(handle.lower(), [])
        if len(matches) == 1 and matches[0].pk not in excluded and matches[0] not in found:
            found.append(matches[0])
    return found


def _announce_mentions(*, author: User, target: Any, comment: Comment, users: list[User]) -> None:
    if users:
        announce(Mentioned(actor=author, target=target, comment=comment, users=users))
