"""Admin screens for press officers: embargo links to share releases before their lift."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from gemeinsam.newsroom.embargo import token_for_link
from gemeinsam.newsroom.models import EmbargoLink, PressReleasePage
from gemeinsam.newsroom.services import (
    EmbargoLinkError,
    create_embargo_link,
    revoke_embargo_link,
)

PERMISSION = "newsroom.view_embargoed"


class EmbargoLinkForm(forms.Form):
    release = forms.ModelChoiceField(queryset=PressReleasePage.objects.none(), label=_("Release"))
    recipient = forms.CharField(label=_("Journalist"), max_length=200)
    outlet = forms.CharField(label=_("Outlet"), max_length=200, required=False)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=60, initial=14
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = embargoed_releases()  # type: ignore[attr-defined]


def embargoed_releases() -> Any:
    return (
        PressReleasePage.objects.not_live()
        .filter(_revisions__approved_go_live_at__isnull=False)
        .select_related("locale")
        .distinct()
        .order_by("title")
    )


def link_url(request: HttpRequest, link: EmbargoLink) -> str:
    with translation.override(link.release.locale.language_code):
        path = reverse("newsroom:embargo-preview", kwargs={"token": token_for_link(link)})
    return settings.SITE_URL + path


def embargo_links(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = EmbargoLinkForm(request.POST or None)
    new_link_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            link = create_embargo_link(
                actor=request.user,  # type: ignore[arg-type]
                release=form.cleaned_data["release"],
                recipient=form.cleaned_data["recipient"],
                outlet=form.cleaned_data["outlet"],
                valid_days=form.cleaned_data["valid_days"],
            )
        except EmbargoLinkError as error:
            form.add_error(None, str(error))
        else:
            new_link_url = link_url(request, link)
            messages.success(request, _("Link created. Copy it below and send it yourself."))
            form = EmbargoLinkForm()
    links = (
        EmbargoLink.objects.select_related("release", "release__locale", "created_by")
        .annotate(access_count=Count("accesses"))
        .order_by("-created_at")[:200]
    )
    return TemplateResponse(
        request,
        "newsroom/admin/embargo_links.html",
        {
            "form": form,
            "links": links,
            "new_link_url": new_link_url,
            "releases": embargoed_releases(),
        },
    )


@require_POST
def revoke_link(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(EmbargoLink, pk=pk)
    try:
        revoke_embargo_link(actor=request.user, link=link)  # type: ignore[arg-type]
    except EmbargoLinkError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("The link no longer works."))
    return redirect("newsroom_embargo_links")


@hooks.register("register_admin_urls")
def register_embargo_urls() -> list[Any]:
    return [
        path("embargo-links/", embargo_links, name="newsroom_embargo_links"),
        path("embargo-links/<int:pk>/revoke/", revoke_link, name="newsroom_embargo_revoke"),
    ]


class EmbargoMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(PERMISSION))


@hooks.register("register_admin_menu_item")
def register_embargo_menu_item() -> MenuItem:
    return EmbargoMenuItem(
        _("Embargo links"), reverse("newsroom_embargo_links"), icon_name="lock", order=250
    )
