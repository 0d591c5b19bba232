"""``{% rating_widget target %}``: an item's ratings, and the rating form for members."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.urls import reverse

from gemeinsam.ratings.selectors import rating_summary

register = template.Library()

ANCHOR = "rating"


def widget_context(
    *,
    request: HttpRequest | None,
    target: Any,
    error: str = "",
    notice: str = "",
    csrf_token: Any = None,
) -> dict[str, Any]:
    """What ``ratings/_rating_widget.html`` needs; one database query."""
    user = getattr(request, "user", None)
    is_member = bool(getattr(user, "is_authenticated", False))
    summary = rating_summary(target=target, user=user if is_member else None)
    context: dict[str, Any] = {
        "summary": summary,
        "is_member": is_member,
        "anchor": ANCHOR,
        "error": error,
        "notice": notice,
        "action_url": reverse("ratings:rate", args=[summary.content_type_id, summary.object_id]),
        "stars_choices": range(1, summary.scale + 1),
    }
    if not is_member:
        here = request.get_full_path() if request is not None else "/"
        context["login_url"] = (
            reverse("account_login") + "?" + urlencode({"next": f"{here}#{ANCHOR}"})
        )
    if csrf_token is not None:
        # Only members' forms use it, so anonymous readers never get a CSRF cookie.
        context["csrf_token"] = csrf_token
    return context


@register.inclusion_tag("ratings/_rating_widget.html", takes_context=True)
def rating_widget(context: template.Context, target: Any) -> dict[str, Any]:
    """Average, count and distribution of ``target``'s ratings for everyone; the form for
    signed-in members, a "Sign in to rate" link for everyone else. One database query."""
    request = context.get("request")
    return widget_context(request=request, target=target, csrf_token=context.get("csrf_token"))
