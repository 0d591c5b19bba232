"""The public report form; the community managers' report queue and discussions screen in
the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gemeinsam.conversations import selectors as conversations
from gemeinsam.conversations.models import DiscussionThread
from gemeinsam.core.clientip import client_key
from gemeinsam.core.engagement import (
    Capability,
    TargetError,
    kind_of,
    resolve_public_target,
    resolve_target,
)
from gemeinsam.core.http import SeeOther, redirect_back
from gemeinsam.core.ratelimit import RateLimitedError, check
from gemeinsam.moderation import services
from gemeinsam.moderation.models import Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why should we look at this?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=gettext_lazy("Details (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _client_key(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_key(request)}"


def report(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    try:
        target = resolve_public_target(content_type_id, object_id, capability=Capability.HIDE)
    except TargetError:
        raise Http404(_("There is nothing to report here.")) from None
    kind = kind_of(target)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check(
                f"report:{_client_key(request)}",
                limit=10,
                period=3600,
                message=_("You sent many reports this hour. Please wait a while."),
            )
        except RateLimitedError as error:
            form.add_error(None, str(error))
        else:
            services.report_content(
                reporter=request.user,
                target=target,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
            return render(request, "moderation/report_thanks.html", {"url": kind.get_url(target)})
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "moderation/report_form.html",
        {"form": form, "title": kind.get_title(target), "url": kind.get_url(target)},
        status=status,
    )


def report_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(services.PERMISSION):
        raise PermissionDenied
    show = request.GET.get("status", Report.Status.OPEN)
    reports = Report.objects.select_related("reporter", "handled_by", "content_type")
    if show in Report.Status.values:
        reports = reports.filter(status=show)
    rows: list[dict[str, Any]] = []
    for item in reports[:200]:
        try:
            target = resolve_target(item.content_type_id, item.object_id)
        except TargetError:
            rows.append({"report": item, "title": _("(deleted)"), "is_hidden": False})
            continue
        kind = kind_of(target)
        rows.append(
            {
                "report": item,
                "title": kind.get_title(target),
                "is_hidden": kind.is_hidden(target),
            }
        )
    return TemplateResponse(
        request,
        "moderation/admin/report_queue.html",
        {"rows": rows, "status": show, "statuses": Report.Status.choices},
    )


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Report, pk=pk)
    try:
        still_there = services.decide_report(
            actor=request.user, report=item, hide=request.POST.get("hide") == "1"
        )
    except services.ModerationError as error:
        raise PermissionDenied(str(error)) from error
    if still_there:
        messages.success(request, _("Decision saved."))
    else:
        messages.info(
            request, _("The content was deleted after it was reported; its reports are closed.")
        )
    return SeeOther(reverse("moderation_queue"))


def discussion_list(request: HttpRequest) -> HttpResponse:
    """Every discussion, hidden ones included, to lock, unlock, hide or restore directly."""
    if not request.user.has_perm(services.PERMISSION):
        raise PermissionDenied
    state = request.GET.get("state", "all")
    state = state if state in conversations.STAFF_STATES else "all"
    query = request.GET.get("q", "")[:200]
    return TemplateResponse(
        request,
        "moderation/admin/discussions.html",
        {
            "threads": conversations.discussions_for_staff(state=state, query=query),
            "state": state,
            "states": [
                ("all", _("All")),
                ("locked", _("Locked")),
                ("hidden", _("Hidden")),
            ],
            "query": query,
        },
    )


_DISCUSSION_ACTIONS = {
    "lock": gettext_lazy("The discussion is locked."),
    "unlock": gettext_lazy("The discussion is open for replies again."),
    "hide": gettext_lazy("The discussion is hidden."),
    "restore": gettext_lazy("The discussion is shown again."),
}


@require_POST
def moderate_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    """Lock, unlock, hide or restore one discussion (``action``), then back to ``next`` (the
    discussion's page or the admin screen). With htmx, locking and unlocking answer with
    the discussion's replies as they now are."""
    thread = get_object_or_404(DiscussionThread.objects.select_related("topic", "author"), pk=pk)
    action = request.POST.get("action", "")
    if action not in _DISCUSSION_ACTIONS:
        return HttpResponseBadRequest(_("Choose what to do with the discussion."))
    try:
        if action in ("lock", "unlock"):
            services.lock_discussion(actor=request.user, thread=thread, locked=action == "lock")
        else:
            services.hide_content(actor=request.user, target=thread, hide=action == "hide")
    except services.ModerationError as error:
        raise PermissionDenied(str(error)) from error
    if request.htmx and action in ("lock", "unlock"):  # type: ignore[attr-defined]
        return render(request, "conversations/discussions/_thread_replies.html", {"thread": thread})
    messages.success(request, str(_DISCUSSION_ACTIONS[action]))
    return redirect_back(request, reverse("moderation_discussions"))
