"""Moderation: anyone reports content; community managers hide or restore it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "gemeinsam.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from gemeinsam.core.personal_data import PersonalData, register_personal_data
        from gemeinsam.moderation import models

        register_personal_data(
            PersonalData(
                models.Report,
                "reporter",
                "Reports you made about content.",
                {
                    "reason": "why",
                    "details": "what you wrote",
                    "created_at": "when",
                    "status": "what became of it",
                },
                policy="keep-anonymous",
            )
        )
        register_personal_data(
            PersonalData(
                models.Report,
                "handled_by",
                "Reports you decided as a community manager.",
                {"status": "your decision", "handled_at": "when"},
                policy="keep-anonymous",
            )
        )
