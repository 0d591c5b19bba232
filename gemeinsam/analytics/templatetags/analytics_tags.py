"""``{% view_pixel item %}``: the image that counts a view of ``item``."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from gemeinsam.analytics.counting import pixel_signature
from gemeinsam.core.engagement import target_reference

register = template.Library()


@register.simple_tag
def view_pixel(item: Any) -> str:
    content_type_id, object_id = target_reference(item)
    signature = pixel_signature(content_type_id, object_id)
    url = reverse("analytics:pixel", args=[content_type_id, object_id, signature])
    return format_html(
        '<img class="view-pixel" src="{}" alt="" width="1" height="1" decoding="async">', url
    )
