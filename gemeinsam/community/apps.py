"""Community: follows, fans, faves, shares, the home feed and notifications."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_activity(sender: Any, event: Any, **kw: Any) -> None:
    from gemeinsam.community.services import record_activity

    record_activity(event=event)


class CommunityConfig(AppConfig):
    name = "gemeinsam.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from gemeinsam.community import models, selectors, tasks
        from gemeinsam.core.caching.edge import register_edge_urls
        from gemeinsam.core.engagement import register_state_reader
        from gemeinsam.core.events import activity_happened
        from gemeinsam.core.personal_data import PersonalData, register_personal_data
        from gemeinsam.core.scheduler import register_periodic_job

        activity_happened.connect(_on_activity, dispatch_uid="community-activity")
        register_state_reader(selectors.read_engagement_state)
        register_edge_urls(_fan_count_urls)
        register_periodic_job(
            "notification-digests",
            tasks.send_due_digests_task,
            every_seconds=3600,
            lease_seconds=30 * 60,  # one mail per member who asked, at most daily
        )
        for entry in (
            PersonalData(
                models.Follow,
                "follower",
                "A member you follow.",
                {"followed": "the member you follow", "created_at": "since when"},
            ),
            PersonalData(
                models.Follow,
                "followed",
                "A member who follows you.",
                {"follower": "the member following you", "created_at": "since when"},
            ),
            PersonalData(
                models.TagFollow,
                "user",
                "A tag you follow.",
                {"tag": "the tag", "created_at": "since when"},
            ),
            PersonalData(
                models.Fan, "user", "You are a fan of the host.", {"created_at": "since when"}
            ),
            PersonalData(
                models.ItemFollow,
                "user",
                "A discussion you follow.",
                {"content_type": "kind of item", "object_id": "its number", "created_at": "since"},
            ),
            PersonalData(
                models.Fave,
                "user",
                "Something you faved.",
                {"content_type": "kind of item", "object_id": "its number", "created_at": "when"},
            ),
            PersonalData(
                models.Share,
                "user",
                "Something you shared with your followers.",
                {"content_type": "kind of item", "object_id": "its number", "created_at": "when"},
            ),
            PersonalData(
                models.Activity,
                "actor",
                "Your public activity.",
                {
                    "verb": "what you did",
                    "content_type": "kind of item",
                    "object_id": "its number",
                    "created_at": "when",
                },
            ),
            PersonalData(
                models.Notification,
                "recipient",
                "A notification for you.",
                {
                    "verb": "what happened",
                    "url": "where",
                    "title": "about what",
                    "created_at": "when",
                    "read_at": "when you read it",
                },
            ),
            PersonalData(
                models.Notification,
                "actor",
                "A notification you caused for someone.",
                {"verb": "what happened", "created_at": "when"},
            ),
        ):
            register_personal_data(entry)
        register_personal_data(
            PersonalData(
                models.DigestState,
                "user",
                "When your last digest was sent.",
                {"last_sent_at": "when"},
            )
        )


def _fan_count_urls(scope: str) -> list[str]:
    """The host's fan count shows on the home pages."""
    from gemeinsam.community.selectors import FANS
    from gemeinsam.core.caching.edge import site_home_urls

    return site_home_urls() if scope == FANS else []
