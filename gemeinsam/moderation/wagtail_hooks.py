"""The report queue and the discussions screen in the admin, for community managers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from gemeinsam.moderation import services, views


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    return [
        path("reports/", views.report_queue, name="moderation_queue"),
        path("reports/<int:pk>/decide/", views.decide, name="moderation_decide"),
        path("discussions/", views.discussion_list, name="moderation_discussions"),
        path("discussions/<int:pk>/", views.moderate_discussion, name="moderation_discussion"),
    ]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(services.PERMISSION))


@hooks.register("register_admin_menu_item")
def register_menu_item() -> MenuItem:
    return ReportsMenuItem(
        _("Reports"), reverse("moderation_queue"), icon_name="warning", order=260
    )


@hooks.register("register_admin_menu_item")
def register_discussions_menu_item() -> MenuItem:
    return ReportsMenuItem(
        _("Discussions"), reverse("moderation_discussions"), icon_name="comment", order=265
    )
