"""The member's privacy page: download all data, delete the account, cancel the deletion."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gemeinsam.core import privacy
from gemeinsam.core.http import refusal, with_retry_after
from gemeinsam.core.models import DeletionRequest
from gemeinsam.core.ratelimit import RateLimitedError, check

# Tries of the deletion form (each checks the password) per member and period (seconds).
DELETION_ATTEMPTS = 5
DELETION_PERIOD = 900


class DeletionForm(forms.Form):
    comments = forms.ChoiceField(
        label=gettext_lazy("What should happen to your comments?"),
        choices=[
            ("keep", gettext_lazy('Keep them, shown as written by "deleted member"')),
            ("delete", gettext_lazy("Delete their text")),
        ],
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):  # type: ignore[attr-defined]
            raise forms.ValidationError(_("That is not your password."))
        return str(password)


def _pending(request: HttpRequest) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user_id=request.user.pk or 0).first()


@login_required
def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/privacy.html",
        {
            "form": DeletionForm(user=request.user),
            "pending": _pending(request),
            "grace_days": privacy.grace_days(),
        },
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    try:
        check(
            f"privacy-export:{request.user.pk}",
            limit=5,
            period=3600,
            message=_("You downloaded your data several times this hour. Please wait a while."),
        )
    except RateLimitedError as error:
        return refusal(error)
    data = privacy.export_member_data(request.user)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete_account(request: HttpRequest) -> HttpResponse:
    try:
        # The form checks the password: without a limit, a borrowed session could guess it.
        check(
            f"privacy-delete:{request.user.pk}",
            limit=DELETION_ATTEMPTS,
            period=DELETION_PERIOD,
            message=_("Too many attempts to confirm with your password. Please wait a while."),
        )
    except RateLimitedError as error:
        response = render(
            request,
            "core/privacy.html",
            {
                "form": DeletionForm(user=request.user),
                "pending": _pending(request),
                "grace_days": privacy.grace_days(),
                "refusal": str(error),
            },
            status=429,
        )
        return with_retry_after(response, error)
    form = DeletionForm(request.POST, user=request.user)
    if not form.is_valid():
        pending = _pending(request)
        return render(
            request,
            "core/privacy.html",
            {"form": form, "pending": pending, "grace_days": privacy.grace_days()},
            status=400,
        )
    pending = privacy.request_deletion(
        user=request.user,
        comments=form.cleaned_data["comments"],
        current_session_key=request.session.session_key,
    )
    logout(request)
    messages.info(
        request,
        _("Your account will be deleted on %(date)s. Sign in before then to cancel.")
        % {"date": f"{pending.purge_after:%Y-%m-%d}"},
    )
    return HttpResponseRedirect("/", status=303)


@login_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    if privacy.cancel_deletion(user=request.user):
        messages.success(request, _("Your account will not be deleted."))
    return HttpResponseRedirect(reverse("privacy:page"), status=303)
