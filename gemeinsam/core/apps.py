"""The lowest layer: shared media models, caching, outbound fetching and scheduling."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _remind_of_deletion(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from django.contrib import messages

    from gemeinsam.core.models import DeletionRequest

    pending = DeletionRequest.objects.filter(user=user).first()
    if pending is not None:
        messages.warning(
            request,
            _(
                "Your account will be deleted on %(date)s. You can still cancel this on the "
                "privacy page."
            )
            % {"date": f"{pending.purge_after:%Y-%m-%d}"},
            fail_silently=True,  # logins without a browser request (tests, scripts)
        )


class CoreConfig(AppConfig):
    name = "gemeinsam.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from gemeinsam.core import tasks
        from gemeinsam.core.caching.edge import purge_edge
        from gemeinsam.core.caching.scopes import on_scopes_changed
        from gemeinsam.core.models import CustomImage, DeletionRequest
        from gemeinsam.core.personal_data import PersonalData, register_personal_data
        from gemeinsam.core.scheduler import register_periodic_job

        on_scopes_changed(purge_edge)
        register_periodic_job(
            "purge-deleted-accounts",
            tasks.purge_due_deletions_task,
            every_seconds=3600,
            lease_seconds=30 * 60,  # a few accounts an hour, each in seconds
        )
        user_logged_in.connect(_remind_of_deletion, dispatch_uid="core-deletion-reminder")
        register_personal_data(
            PersonalData(
                DeletionRequest,
                "user",
                "Your request to delete your account.",
                {
                    "requested_at": "when you asked",
                    "purge_after": "when it happens",
                    "options": "what you chose for your comments",
                },
            )
        )
        register_personal_data(
            PersonalData(
                CustomImage,
                "uploaded_by_user",
                "Images you uploaded as staff; they stay, without your name.",
                {"title": "the image's title", "created_at": "when"},
                policy="keep-anonymous",
            )
        )
