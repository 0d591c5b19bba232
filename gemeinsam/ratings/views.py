"""The rating endpoint: a plain form POST (303 back to the item) or an htmx request (the widget)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gemeinsam.core.engagement import Capability, TargetError, kind_of, resolve_public_target
from gemeinsam.core.http import SeeOther, refusal, sign_in_first, with_retry_after
from gemeinsam.core.ratelimit import RateLimitedError
from gemeinsam.ratings import services
from gemeinsam.ratings.forms import RatingForm
from gemeinsam.ratings.models import rating_scale
from gemeinsam.ratings.templatetags.ratings_tags import widget_context

ANCHOR = "#rating"


def _target_url(target: Any) -> str:
    return (kind_of(target).get_url(target) or "/") + ANCHOR


def _public_target_or_404(content_type_id: int, object_id: int) -> Any:
    try:
        return resolve_public_target(content_type_id, object_id, capability=Capability.RATE)
    except TargetError:
        raise Http404(_("This item cannot be rated.")) from None


def _widget(
    request: HttpRequest, target: Any, *, status: int = 200, error: str = "", notice: str = ""
) -> HttpResponse:
    context = widget_context(request=request, target=target, error=error, notice=notice)
    return render(request, "ratings/_rating_widget.html", context, status=status)


def _refuse(
    request: HttpRequest, content_type_id: int, object_id: int, message: str, *, status: int
) -> HttpResponse:
    """Explain a refused write: the widget with the message for htmx, else a message on
    the item's page."""
    target = _public_target_or_404(content_type_id, object_id)
    if request.htmx:  # type: ignore[attr-defined]
        return _widget(request, target, status=status, error=message)
    messages.error(request, message)
    return SeeOther(_target_url(target))


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """Rate an item (field ``stars``), change the rating, or remove it (button ``remove``)."""
    # Without JavaScript, back to the item after signing in; htmx shows the refusal.
    refused = sign_in_first(
        request,
        message=_("Sign in to rate."),
        redirect=not request.htmx,  # type: ignore[attr-defined]
        next_url=lambda: _target_url(_public_target_or_404(content_type_id, object_id)),
    )
    if refused:
        return refused
    if request.method == "GET":  # e.g. after signing in: back to the item
        return SeeOther(_target_url(_public_target_or_404(content_type_id, object_id)))

    form = RatingForm(request.POST, scale=rating_scale())
    if not form.is_valid():
        return _refuse(request, content_type_id, object_id, form.first_error(), status=400)
    try:
        if form.wants_removal:
            outcome = services.remove_rating(
                user=request.user, content_type_id=content_type_id, object_id=object_id
            )
            done = _("Your rating was removed.")
        else:
            outcome = services.rate_item(
                user=request.user,
                content_type_id=content_type_id,
                object_id=object_id,
                stars=form.cleaned_data["stars"],
            )
            done = _("Your rating was saved.")
    except services.TargetNotRateableError as error:
        raise Http404(str(error)) from error
    except services.InvalidStarsError as error:
        return _refuse(request, content_type_id, object_id, str(error), status=400)
    except services.SignInRequiredError as error:
        return refusal(error, status=403)
    except RateLimitedError as error:
        response = _refuse(request, content_type_id, object_id, str(error), status=429)
        if request.htmx:  # type: ignore[attr-defined]
            return with_retry_after(response, error)
        return response

    if request.htmx:  # type: ignore[attr-defined]
        return _widget(request, outcome.target, notice=done)
    messages.success(request, done)
    return SeeOther(_target_url(outcome.target))
