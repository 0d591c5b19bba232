"""The views report in the admin, for staff allowed to see view counts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from gemeinsam.analytics.selectors import PERIODS, most_viewed

# Given to editors, press officers and administrators by the staff roles.
PERMISSION = "analytics.view_dailyviews"


def views_report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    if days not in PERIODS:
        days = 30
    items, total = most_viewed(days=days)
    return TemplateResponse(
        request,
        "analytics/admin/views_report.html",
        {"items": items, "total": total, "days": days, "periods": PERIODS},
    )


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    return [path("views/", views_report, name="analytics_views")]


class ViewsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(PERMISSION))


@hooks.register("register_reports_menu_item")
def register_menu_item() -> MenuItem:
    return ViewsMenuItem(_("Views"), reverse("analytics_views"), icon_name="view", order=50)
