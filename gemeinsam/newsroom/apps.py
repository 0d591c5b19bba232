"""The newsroom: stories, press material, and what of them the public outputs show."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "gemeinsam.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self) -> None:
        from gemeinsam.community.tags import register_public_tag_check
        from gemeinsam.core.engagement import register_host_stream, register_target
        from gemeinsam.core.media import register_media_owner
        from gemeinsam.core.scheduler import register_periodic_job
        from gemeinsam.newsroom import (
            embargo_admin,  # noqa: F401 (registers admin hooks)
            selectors,
            signals,  # noqa: F401 (connects the receivers)
            tasks,
        )
        from gemeinsam.newsroom.embargo import MEDIA_FOLDERS, may_have_media
        from gemeinsam.newsroom.outputs import register_outputs
        from gemeinsam.newsroom.targets import StoryKind

        for folder in MEDIA_FOLDERS:
            register_media_owner(folder, may_have_media)
        register_public_tag_check(lambda tag: selectors.public_tag(tag.slug) is not None)
        register_target(StoryKind())
        register_host_stream(selectors.host_stream)
        register_outputs()
        _register_personal_data()
        # Press-kit archives (presskits/) are served by their own view, never from /media/.
        # Embargoes lift and scheduled stories go live within this many seconds of their time.
        # A run takes a second or so; after 30 s RUNNING its worker is taken as dead, so a
        # killed worker delays a lift by well under a minute.
        register_periodic_job(
            "publish-due-content",
            tasks.publish_due_content_task,
            every_seconds=10,
            lease_seconds=30,
        )
        # Up to 10 s per channel, one after another: a long lease.
        register_periodic_job(
            "pull-outside-channels",
            tasks.pull_all_channels_task,
            every_seconds=15 * 60,
            lease_seconds=60 * 60,
        )


def _register_personal_data() -> None:
    """Staff links to newsroom records; the records stay, the link to the person goes."""
    from gemeinsam.core.personal_data import PersonalData, register_personal_data
    from gemeinsam.newsroom.models import Author, EmbargoAccess, EmbargoLink

    for entry in (
        PersonalData(
            Author,
            "user",
            "Your public author profile in the newsroom.",
            {"name": "the name shown", "role": "your role", "bio": "your biography"},
            policy="keep-anonymous",
        ),
        PersonalData(
            EmbargoLink,
            "created_by",
            "Embargo links you made for journalists.",
            {"recipient": "the journalist", "created_at": "when"},
            policy="keep-anonymous",
        ),
        PersonalData(
            EmbargoAccess,
            "user",
            "Embargoed releases you read early.",
            {"release": "the release", "accessed_at": "when"},
            policy="keep-anonymous",
        ),
    ):
        register_personal_data(entry)
