"""What the benchmark needs from a seeded database, written as JSON for the harness.

Run inside the project's settings (``python -m bench.fixtures OUT.json SESSIONS``): the URLs of
the two benchmark stories, a cursor deep into the crowded story's comments, signed-in sessions
for members who rate, the reference story with its 100 comments for the WordPress peer, and
every live story (its path and what a rating names it by) for the mixed load.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any


def collect(sessions: int) -> dict[str, Any]:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.html import strip_tags

    from gemeinsam.accounts.models import User
    from gemeinsam.conversations.models import Comment
    from gemeinsam.conversations.selectors import Cursor
    from gemeinsam.core.engagement import target_reference
    from gemeinsam.demo.scale import CROWDED_SLUG, MEMBER_EMAIL, REFERENCE_SLUG
    from gemeinsam.newsroom.models import StoryPage

    crowded = StoryPage.objects.get(slug=CROWDED_SLUG).specific
    reference = StoryPage.objects.get(slug=REFERENCE_SLUG).specific
    crowded_type, crowded_id = target_reference(crowded)
    reference_type, reference_id = target_reference(reference)
    top_level = Comment.objects.for_target(crowded_type, crowded_id).filter(parent=None)
    # 1,000 threads deep (on the small scale, as deep as there are threads).
    deep_row = top_level.order_by("-created_at", "-id")[min(1000, top_level.count() - 1)]
    cursor = Cursor("oldest", deep_row.created_at, deep_row.pk).encode()

    members = list(
        User.objects.filter(
            email__in=[MEMBER_EMAIL.format(number=n) for n in range(1, sessions + 1)]
        ).order_by("pk")
    )
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for member in members:
        store = SessionStore()
        store[SESSION_KEY] = str(member.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = member.get_session_auth_hash()
        store.create()
        cookies.append({"session": store.session_key, "csrf": secrets.token_hex(16)})

    comments = [
        {
            "key": row.pk,
            "parent_key": row.parent_id,
            "author_name": row.author.public_name if row.author else row.guest_name,
            "body_text": row.body,
            "created_at": row.created_at.isoformat(),
        }
        for row in Comment.objects.for_target(reference_type, reference_id)
        .select_related("author")
        .order_by("pk")
    ]
    body = reference.body
    body_html = (
        "".join(str(block.render()) for block in body)
        if hasattr(body, "render_as_block")
        else str(body)
    )
    stories = [
        {"url": page.url, "content_type_id": kind, "object_id": key}
        for page in StoryPage.objects.live().public().specific().order_by("pk")
        if page.url
        for kind, key in [target_reference(page)]
    ]
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "reference": {
            "url": reference.url,
            "content_type_id": reference_type,
            "object_id": reference_id,
            "title": reference.title,
            "summary": reference.summary,
            "body_html": body_html,
            "body_text": strip_tags(body_html),
            "published_at": reference.first_published_at.isoformat(),
            "comments": comments,
        },
        "crowded": {
            "url": crowded.url,
            "comments_url": f"/en/comments/{crowded_type}/{crowded_id}/",
            "deep_query": f"?cursor={cursor}",
        },
        "members": cookies,
        "stories": stories,
    }


def main() -> None:
    import django

    django.setup()
    out, sessions = Path(sys.argv[1]), int(sys.argv[2])
    out.write_text(json.dumps(collect(sessions), indent=1))


if __name__ == "__main__":
    main()
