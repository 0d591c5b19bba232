"""Reads about members that every engagement app needs: who blocks or mutes whom."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gemeinsam.accounts.models import Block, Mute


def blocked_user_ids(user: Any) -> set[int]:
    """Members ``user`` blocked or was blocked by: neither side sees the other."""
    if user is None or not user.is_authenticated:
        return set()
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {other for pair in pairs for other in pair if other != user.pk}


def is_blocked_between(first: Any, second: Any) -> bool:
    if first is None or second is None or first.pk == second.pk:
        return False
    return Block.objects.filter(
        Q(blocker=first, blocked=second) | Q(blocker=second, blocked=first)
    ).exists()


def muted_user_ids(user: Any) -> set[int]:
    """Members whose activity ``user`` does not want in feed or notifications (blocked too)."""
    if user is None or not user.is_authenticated:
        return set()
    muted = set(Mute.objects.filter(muter=user).values_list("muted_id", flat=True))
    return muted | blocked_user_ids(user)
