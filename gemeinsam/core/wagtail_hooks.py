"""The background-jobs report in the admin, and the cache scopes every served page reads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from gemeinsam.core.caching import SITE, reads, target_scope
from gemeinsam.core.scheduler import job_overview

PERMISSION = "django_tasks_database.view_dbtaskresult"


def background_jobs_report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return TemplateResponse(request, "core/admin/background_jobs.html", {"jobs": job_overview()})


class BackgroundJobsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(PERMISSION))


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    return [path("background-jobs/", background_jobs_report, name="core_background_jobs")]


@hooks.register("register_reports_menu_item")
def register_menu_item() -> MenuItem:
    return BackgroundJobsMenuItem(
        _("Background jobs"), reverse("core_background_jobs"), icon_name="cogs", order=60
    )


@hooks.register("before_serve_page")
def declare_page_scopes(page: Page, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
    """A Wagtail page reads the site and itself; whatever else it shows (counts, comments,
    fans) is declared by the selectors and fragments that read it. The page cache keeps the
    page until one of those scopes changes, not on every change of the site."""
    reads(SITE, target_scope(page), precise=True)
