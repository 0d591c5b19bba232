"""Template tags any app's templates may use."""

from __future__ import annotations

from typing import Any

from django import template

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
