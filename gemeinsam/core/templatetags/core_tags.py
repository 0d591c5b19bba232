"""Template tags any app's templates may use."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from gemeinsam.core.caching import SITE, cached_fragment

register = template.Library()


@register.simple_tag
def report_url(obj: Any) -> str:
    """Where anyone can report ``obj`` (a comment, a discussion, a member), or "" if the site
    has no moderation installed."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import NoReverseMatch, reverse

    try:
        content_type = ContentType.objects.get_for_model(obj)
        return reverse("moderation:report", args=[content_type.pk, obj.pk])
    except NoReverseMatch:
        return ""


FRAGMENT_SECONDS = 300


class PublicFragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, parts: list[Any]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        if getattr(request, "is_preview", False) or context.get("is_embargo_preview"):
            return self.nodelist.render(context)  # drafts and embargoed text are never kept
        values = [str(part.resolve(context)) for part in self.parts]
        html = cached_fragment(
            "fragment",
            [SITE],
            [get_language() or "", self.name, *values],
            lambda: self.nodelist.render(context),
            timeout=FRAGMENT_SECONDS,
        )
        return str(html)


@register.tag
def publiccache(parser: template.base.Parser, token: template.base.Token) -> PublicFragmentNode:
    """``{% publiccache "name" value… %}…{% endpubliccache %}``: a part of a page that is the
    same for every viewer and reads nothing members write (no counts, no comments), cached
    until the site changes (the site scope), per language and per the values given.
    Previews render it afresh.

    Only for what nobody sees differently: no user, no CSRF token, no form inside.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("publiccache needs a name")
    nodelist = parser.parse(("endpubliccache",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return PublicFragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
