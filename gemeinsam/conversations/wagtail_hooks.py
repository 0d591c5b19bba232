"""The host's staff keep the list of discussion topics in the admin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from gemeinsam.conversations.models import DiscussionTopic


class DiscussionTopicViewSet(SnippetViewSet):
    model = DiscussionTopic
    menu_label = _("Discussion topics")
    icon = "comment"
    add_to_admin_menu = True
    menu_order = 270
    list_display = ["name", "slug", "is_open", "sort_order"]
    ordering = ["sort_order", "name"]


register_snippet(DiscussionTopicViewSet)
