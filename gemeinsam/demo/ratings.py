"""The demo's ratings: the demo members rate stories in both languages through the ratings
service, so that the founders' talk reads "8.3/10 (11 ratings)"."""

from __future__ import annotations

from gemeinsam.core.engagement import target_reference
from gemeinsam.demo.community import demo_members, demo_story
from gemeinsam.ratings.models import STORED_MAX, Rating, rating_scale
from gemeinsam.ratings.services import rate_item

# Stars on the 1–10 scale by member, per story (slug, language). The founders' talk:
# 11 ratings adding up to 91, an average of 8.27, shown as 8.3.
RATINGS: dict[tuple[str, str], dict[str, int]] = {
    ("founders-talk", "en"): {
        "tom": 10,
        "priya": 9,
        "henrik": 8,
        "claire": 9,
        "daniel": 7,
        "marie": 10,
        "sabine": 8,
        "katrin": 9,
        "yusuf": 8,
        "matthias": 7,
        "sophie": 6,
    },
    ("community-roof-online", "en"): {
        "tom": 9,
        "priya": 8,
        "claire": 10,
        "henrik": 7,
        "daniel": 8,
        "marie": 9,
    },
    ("agm-12-march", "en"): {"henrik": 6, "tom": 7, "claire": 8},
    ("a-day-on-the-roof", "en"): {"priya": 10, "daniel": 9, "tom": 8, "claire": 9},
    ("gruendergespraech", "de"): {
        "marie": 9,
        "sabine": 10,
        "katrin": 8,
        "yusuf": 9,
        "matthias": 8,
        "sophie": 7,
        "elif": 9,
    },
    ("buergerdach-am-netz", "de"): {
        "sabine": 9,
        "katrin": 10,
        "yusuf": 8,
        "elif": 9,
        "matthias": 7,
    },
    ("gv-12-maerz", "de"): {"marie": 7, "sophie": 8, "matthias": 6, "katrin": 7},
    ("ein-tag-auf-dem-dach", "de"): {"elif": 10, "yusuf": 9, "sophie": 9},
}


def seed_ratings() -> str | None:
    """The ratings' seed step: each demo member's planned ratings, on the site's scale (a
    site on 1–5 stars gets them halved, rounded up). A member's existing rating of a story
    is left as it is. Adds what is missing."""
    members = demo_members()
    if not members:
        return None
    scale = rating_scale()
    rated = 0
    for (slug, language), plan in RATINGS.items():
        story = demo_story(slug, language)
        if story is None:
            continue
        content_type_id, object_id = target_reference(story)
        for key, stars in plan.items():
            user = members.get(key)
            if (
                user is None
                or Rating.objects.filter(
                    user=user, content_type_id=content_type_id, object_id=object_id
                ).exists()
            ):
                continue
            step = STORED_MAX // scale
            outcome = rate_item(
                user=user,
                content_type_id=content_type_id,
                object_id=object_id,
                stars=(stars + step - 1) // step,
            )
            rated += outcome.changed
    return f"{rated} ratings created" if rated else None
