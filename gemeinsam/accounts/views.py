"""Member pages: public profiles, own settings, unsubscribe and the local mail catcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gemeinsam.accounts import services
from gemeinsam.accounts.forms import MailPreferencesForm, ProfileForm
from gemeinsam.accounts.mail import (
    catcher_allowed_for,
    caught_mail,
    caught_mails,
    read_unsubscribe_token,
)
from gemeinsam.accounts.models import MailPreference, User
from gemeinsam.accounts.selectors import (
    avatar_status,
    blocked_and_muted,
    mail_preferences,
    member_profile,
)
from gemeinsam.core.http import SeeOther


def _not_found(request: HttpRequest) -> HttpResponse:
    """A 404 that no cache keeps: whether a page exists here depends on who asks."""
    response = HttpResponse(render_to_string("404.html", request=request), status=404)
    add_never_cache_headers(response)
    return response


# ---------------------------------------------------------------- public profile


def hidden_profile(request: HttpRequest) -> HttpResponse:
    """The neutral page of a profile the community managers hid: it says only that, and
    answers 404 so that nothing keeps or indexes the address."""
    response = render(request, "accounts/profile_hidden.html", status=404)
    if request.user.is_authenticated:
        add_never_cache_headers(response)
    return response


@require_GET
def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = member_profile(user_id, viewer=request.user)
    if profile is None:
        return _not_found(request)
    if profile.hidden_from_viewer:
        return hidden_profile(request)
    response = render(request, "accounts/profile_detail.html", {"profile": profile})
    if request.user.is_authenticated:
        add_never_cache_headers(response)
    return response


def _target(user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, is_active=True)


def _relationship_response(request: HttpRequest, target: User) -> HttpResponse:
    """The updated buttons for htmx, or a redirect back to the profile without JavaScript."""
    if request.htmx:  # type: ignore[attr-defined]
        profile = member_profile(target.pk, viewer=request.user)
        if profile is None:
            raise Http404
        return render(request, "accounts/_relationship.html", {"profile": profile})
    return SeeOther(reverse("accounts:profile", args=[target.pk]) + "#relationship")


@login_required
@require_POST
def block(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        services.block_member(actor=request.user, target=target)
    except services.BlockError as error:
        messages.error(request, str(error))
        return SeeOther(reverse("accounts:profile", args=[target.pk]) + "#relationship")
    messages.success(
        request,
        _("You blocked %(name)s. Neither of you sees the other any more.")
        % {"name": target.public_name},
    )
    return SeeOther(reverse("accounts:relationships") + "#blocked")


@login_required
@require_POST
def unblock(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        services.unblock_member(actor=request.user, target=target)
    except services.BlockError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You unblocked %(name)s.") % {"name": target.public_name})
    return SeeOther(reverse("accounts:relationships") + "#blocked")


@login_required
@require_POST
def mute(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        services.mute_member(actor=request.user, target=target)
    except services.MuteError as error:
        messages.error(request, str(error))
    return _relationship_response(request, target)


@login_required
@require_POST
def unmute(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        services.unmute_member(actor=request.user, target=target)
    except services.MuteError as error:
        messages.error(request, str(error))
    if request.POST.get("back") == "relationships":
        return SeeOther(reverse("accounts:relationships") + "#muted")
    return _relationship_response(request, target)


# ---------------------------------------------------------------- the member's own settings


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees a member
    if request.method == "POST":
        form = ProfileForm.for_member(user, data=request.POST, files=request.FILES)
        if form.is_valid():
            try:
                services.update_profile(
                    actor=user,
                    user=user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    links=form.links,
                    avatar=form.cleaned_data["avatar"],
                    remove_avatar=form.cleaned_data["remove_avatar"],
                )
            except services.ProfileError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your profile is saved."))
                return SeeOther(reverse("accounts:profile-settings"))
        status = 400
    else:
        form = ProfileForm.for_member(user)
        status = 200
    return render(
        request,
        "accounts/profile_settings.html",
        {"form": form, "section": "profile", "avatar_status": avatar_status(user=user)},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mail_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees a member
    if request.method == "POST":
        form = MailPreferencesForm(data=request.POST)
        if form.is_valid():
            for kind, is_enabled in form.preferences().items():
                services.set_mail_preference(user=user, kind=kind, is_enabled=is_enabled)
            messages.success(request, _("Your e-mail choices are saved."))
            return SeeOther(reverse("accounts:mail-settings"))
    else:
        form = MailPreferencesForm(initial=mail_preferences(user=user))
    return render(request, "accounts/mail_settings.html", {"form": form, "section": "mail"})


@never_cache
@login_required
@require_GET
def relationships(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees a member
    blocked, muted = blocked_and_muted(user=user)
    return render(
        request,
        "accounts/relationships.html",
        {"blocked": blocked, "muted": muted, "section": "relationships"},
    )


# ---------------------------------------------------------------- one-click unsubscribe


@never_cache
@csrf_exempt  # RFC 8058: mail programs POST here without a session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=400)
    kind_label = dict(MailPreference.Kind.choices)[found[1]]
    if request.method == "POST":
        try:
            services.unsubscribe(token=token)
        except services.UnsubscribeError:
            return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=400)
        return render(request, "accounts/unsubscribe.html", {"done": True, "kind": kind_label})
    return render(request, "accounts/unsubscribe.html", {"kind": kind_label, "token": token})


# ---------------------------------------------------------------- the local mail catcher


@never_cache
@require_GET
def dev_mail(request: HttpRequest) -> HttpResponse:
    if not catcher_allowed_for(request):
        return _not_found(request)
    return render(request, "accounts/dev_mail_list.html", {"mails": caught_mails()})


@never_cache
@require_GET
def dev_mail_message(request: HttpRequest, name: str) -> HttpResponse:
    if not catcher_allowed_for(request):
        return _not_found(request)
    mail = caught_mail(name)
    if mail is None:
        return _not_found(request)
    return render(request, "accounts/dev_mail_detail.html", {"mail": mail})
