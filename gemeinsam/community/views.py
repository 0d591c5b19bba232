"""Community actions (each a POST that works with and without htmx) and member pages."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from taggit.models import Tag

from gemeinsam.accounts.models import User
from gemeinsam.community import selectors, services
from gemeinsam.community.models import TagFollow
from gemeinsam.community.tags import public_tag
from gemeinsam.core.engagement import Capability, TargetError, kind_of, resolve_public_target
from gemeinsam.core.http import SeeOther, redirect_back, refusal, safe_url
from gemeinsam.core.ratelimit import RateLimitedError


def _refused(request: HttpRequest, error: Exception, fallback: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return refusal(error)
    messages.error(request, str(error))
    return redirect_back(request, fallback)


def _engagement_target(content_type_id: int, object_id: int, capability: Capability) -> Any:
    try:
        return resolve_public_target(content_type_id, object_id, capability=capability)
    except TargetError:
        raise Http404(_("There is nothing to fave or share here.")) from None


def _render_bar(request: HttpRequest, target: Any) -> HttpResponse:
    from gemeinsam.community.templatetags.community_tags import engagement_context

    html = render_to_string(
        "community/_engagement_bar.html", engagement_context(request, target), request=request
    )
    return HttpResponse(html)


def _toggle_engagement(
    request: HttpRequest,
    content_type_id: int,
    object_id: int,
    capability: Capability,
    service: Any,
) -> HttpResponse:
    target = _engagement_target(content_type_id, object_id, capability)
    url = getattr(target, "url", "/")
    try:
        service(request.user, target, request.POST.get("on") == "1")
    except (services.CommunityError, RateLimitedError) as error:
        return _refused(request, error, url)
    if request.htmx:  # type: ignore[attr-defined]
        return _render_bar(request, target)
    return redirect_back(request, url, anchor="#engagement")


@login_required
@require_POST
def toggle_fave(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    return _toggle_engagement(
        request,
        content_type_id,
        object_id,
        Capability.FAVE,
        lambda user, target, on: services.set_fave(user=user, target=target, faved=on),
    )


@login_required
@require_POST
def toggle_share(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    return _toggle_engagement(
        request,
        content_type_id,
        object_id,
        Capability.SHARE,
        lambda user, target, on: services.set_share(user=user, target=target, shared=on),
    )


@login_required
@require_POST
def toggle_follow(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id, is_active=True)
    fallback = "/"
    try:
        if request.POST.get("on") == "1":
            services.follow_member(user=request.user, member=member)
        else:
            services.unfollow_member(user=request.user, member=member)
    except (services.CommunityError, RateLimitedError) as error:
        return _refused(request, error, fallback)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "community/_follow_button.html",
            {
                "member": member,
                "following": selectors.is_following(user=request.user, member=member),
            },
        )
    return redirect_back(request, fallback)


@login_required
@require_POST
def toggle_item_follow(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """Follow a discussion to hear of every new reply, or stop following it."""
    from gemeinsam.community.templatetags.community_tags import item_follow_context

    try:
        target = resolve_public_target(content_type_id, object_id, capability=Capability.FOLLOW)
    except TargetError:
        raise Http404(_("There is nothing to follow here.")) from None
    url = kind_of(target).get_url(target)
    try:
        services.set_item_follow(
            user=request.user, target=target, following=request.POST.get("on") == "1"
        )
    except (services.CommunityError, RateLimitedError) as error:
        return _refused(request, error, url)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "community/_item_follow_button.html", item_follow_context(request, target)
        )
    return redirect_back(request, url, anchor=f"#follow-{content_type_id}-{object_id}")


@login_required
@require_POST
def toggle_tag_follow(request: HttpRequest, slug: str) -> HttpResponse:
    """Follow or unfollow a tag. A tag no public content carries is unknown here (404), so
    its name is not confirmed before an embargo lifts; one already followed can be left."""
    member = request.user
    assert isinstance(member, User)  # noqa: S101 - narrows the type; login_required let only members in
    tag = public_tag(slug)
    if tag is None and request.POST.get("on") != "1":
        tag = Tag.objects.filter(
            slug=slug, pk__in=TagFollow.objects.filter(user=member).values("tag_id")
        ).first()
    if tag is None:
        raise Http404(_("There is no such tag."))
    try:
        if request.POST.get("on") == "1":
            services.follow_tag(user=request.user, tag=tag)
        else:
            services.unfollow_tag(user=request.user, tag=tag)
    except (services.CommunityError, RateLimitedError) as error:
        return _refused(request, error, "/")
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "community/_tag_follow_button.html",
            {"tag": tag, "following": selectors.is_following_tag(user=request.user, tag=tag)},
        )
    return redirect_back(request, "/")


@login_required
@require_POST
def toggle_fan(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("on") == "1":
            services.become_fan(user=request.user)
        else:
            services.stop_being_fan(user=request.user)
    except (services.CommunityError, RateLimitedError) as error:
        return _refused(request, error, "/")
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "community/_fan_button.html",
            {"fan_count": selectors.fan_count(), "is_fan": selectors.is_fan(request.user)},
        )
    return redirect_back(request, "/", anchor="#fans")


def _cursor(request: HttpRequest) -> datetime | None:
    raw = request.GET.get("before", "")
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def home_feed(request: HttpRequest) -> HttpResponse:
    before = _cursor(request)
    entries = selectors.FeedService().home(user=request.user, before=before)
    next_before = (
        entries[-1].at.isoformat() if len(entries) >= selectors.FeedService.page_size else ""
    )
    return render(
        request, "community/home_feed.html", {"entries": entries, "next_before": next_before}
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("before", "")
    before = int(raw) if raw.isdigit() else None
    items = selectors.notifications(user=request.user, before=before)
    return render(
        request,
        "community/notifications.html",
        {"notifications": items, "next_before": items[-1].pk if len(items) == 30 else ""},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    try:
        services.mark_notifications_read(user=request.user)
    except (services.CommunityError, RateLimitedError) as error:
        return _refused(request, error, "/")
    return SeeOther(reverse("community:notifications"))


_INSTANCE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def mastodon_share(request: HttpRequest) -> HttpResponse:
    """Ask the reader to confirm leaving for the share page of their own Mastodon server.

    The answer is a page naming the server with a link to it, never a redirect: a link to
    this address cannot send anyone elsewhere unseen. Nothing is loaded from that server by
    this site. A server name that is not a host name is answered 400 with the form again.
    """
    raw = request.GET.get("instance", "").strip()[:253]
    instance = raw.lower().removeprefix("https://").removeprefix("@").split("@")[-1].rstrip("/")
    text = request.GET.get("text", "")[:500]
    back = request.GET.get("back", "")
    back = safe_url(request, back, "/", path_only=True)
    valid = bool(_INSTANCE.match(instance))
    response = render(
        request,
        "community/mastodon_share.html",
        {
            "instance": instance if valid else raw,
            "is_valid": valid,
            "share_link": f"https://{instance}/share?text={quote(text)}" if valid else "",
            "text": text,
            "back": back,
        },
        status=200 if valid else 400,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def member_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """A member's public profile with their recent public activity and a follow button."""
    from django.utils.cache import add_never_cache_headers

    from gemeinsam.accounts.selectors import member_profile
    from gemeinsam.accounts.views import hidden_profile

    profile = member_profile(user_id, viewer=request.user)
    if profile is None:
        raise Http404(_("There is no such member."))
    if profile.hidden_from_viewer:
        return hidden_profile(request)
    response = render(
        request,
        "community/profile_detail.html",
        {
            "profile": profile,
            "activity": selectors.member_activity(member=profile.member),
            "follower_count": selectors.follower_count(profile.member),
        },
    )
    if request.user.is_authenticated:
        add_never_cache_headers(response)
    return response
