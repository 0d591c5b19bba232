"""The public report form, and the community managers' queue in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gemeinsam.core.engagement import resolve_public_target, resolve_target, target_kind
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
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def report(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    target = resolve_public_target(content_type_id, object_id, engageable_only=False)
    kind = target_kind(target) if target is not None else None
    if target is None or kind is None or kind.set_hidden is None:
        raise Http404(_("There is nothing to report here."))
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
        target = resolve_target(item.content_type_id, item.object_id)
        kind = target_kind(target) if target is not None else None
        rows.append(
            {
                "report": item,
                "title": kind.get_title(target) if kind else _("(deleted)"),
                "is_hidden": kind.is_hidden(target) if kind else False,
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
        services.decide_report(
            actor=request.user, report=item, hide=request.POST.get("hide") == "1"
        )
    except services.ModerationError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("Decision saved."))
    return HttpResponseRedirect(reverse("moderation_queue"), status=303)
