"""Wagtail hooks of the newsroom: outside channels under a "Newsroom" menu with "Fetch now",
and who may download documents."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import BaseColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from gemeinsam.core.media import MediaAccess
from gemeinsam.core.sendfile import record_access
from gemeinsam.core.tasks_util import enqueue_on_commit
from gemeinsam.newsroom.embargo import document_access
from gemeinsam.newsroom.models import OutsideChannel
from gemeinsam.newsroom.tasks import pull_channel_task

PULL_URL_NAME = "newsroom_channel_pull"


def can_pull(user: Any) -> bool:
    return bool(user.has_perm("newsroom.change_outsidechannel"))


class FetchNowColumn(BaseColumn):
    """A small POST form per row that fetches the channel at once."""

    def render_cell_html(self, instance: OutsideChannel, parent_context: Any) -> SafeString:
        request = parent_context.get("request")
        if request is None or not can_pull(request.user):
            return format_html("<td></td>")
        return format_html(
            '<td><form method="post" action="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit" class="button button-small button-secondary" '
            'aria-label="{}">{}</button></form></td>',
            reverse(PULL_URL_NAME, args=[instance.pk]),
            get_token(request),
            _("Fetch “%(name)s” now") % {"name": instance.name},
            _("Fetch now"),
        )


class OutsideChannelViewSet(SnippetViewSet):
    model = OutsideChannel
    icon = "link-external"
    menu_label = gettext_lazy("Outside channels")
    list_display = [
        "name",
        "kind",
        "status",
        "status_message",
        "last_fetched_at",
        FetchNowColumn("fetch", label=gettext_lazy("Fetch")),
    ]
    list_filter = ["kind", "status", "is_active"]
    search_fields = ["name", "feed_url"]


class NewsroomViewSetGroup(SnippetViewSetGroup):
    items = (OutsideChannelViewSet,)
    menu_label = gettext_lazy("Newsroom")
    menu_icon = "site"
    menu_name = "newsroom"
    menu_order = 250


register_snippet(NewsroomViewSetGroup)


@require_POST
def pull_channel_now(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Enqueue a fetch of one channel and go back to the list; staff who may edit channels."""
    if not can_pull(request.user):
        raise PermissionDenied
    channel = get_object_or_404(OutsideChannel, pk=pk)
    enqueue_on_commit(pull_channel_task, channel.pk)
    messages.success(
        request,
        _("“%(name)s” is being fetched. Reload the list in a moment to see the result.")
        % {"name": channel.name},
    )
    return HttpResponseRedirect(reverse("wagtailsnippets_newsroom_outsidechannel:list"))


@hooks.register("register_admin_urls")
def register_channel_urls() -> list[Any]:
    return [path("outside-channels/<int:pk>/fetch/", pull_channel_now, name=PULL_URL_NAME)]


@hooks.register("before_serve_document")
def serve_only_public_documents(document: Any, request: HttpRequest) -> None:
    """Documents follow the pages that use them: 404 (never 403, which would tell that the
    document exists) unless a live, public page uses it, the request comes from staff, or it
    carries an embargo link for a release that uses it. Records the decision for the file
    sender, which lets shared caches keep only public documents."""
    access = document_access(request, document)
    if access is MediaAccess.HIDDEN:
        raise Http404(_("There is no such document."))
    record_access(request, access)
