"""Writes of moderation: report content, hide or restore it (on a report or directly),
dismiss a report, lock or unlock a discussion."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gemeinsam.conversations.models import DiscussionThread
from gemeinsam.conversations.services import set_thread_locked
from gemeinsam.core.caching import public_content_changed
from gemeinsam.core.engagement import (
    Capability,
    TargetError,
    TargetKind,
    is_registered,
    kind_of,
    resolve_target,
)
from gemeinsam.moderation.models import Report

PERMISSION = "moderation.moderate_content"


class ModerationError(ValueError):
    """A moderation step cannot be done; the message says why."""


@transaction.atomic
def report_content(*, reporter: Any, target: Any, reason: str, details: str = "") -> Report:
    """Record a report about ``target``; anyone may report (``reporter`` may be anonymous).

    Precondition: the target is registered and can be hidden.
    """
    kind = _hideable(target, _("This cannot be reported."))
    if reason not in Report.Reason.values:
        raise ModerationError(_("Choose a reason."))
    return Report.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        reason=reason,
        details=details.strip()[:2000],
        url=kind.get_url(target)[:500],
    )


def _hideable(target: Any, message: str) -> TargetKind[Any]:
    """The target's kind, if moderators may hide items of it."""
    if not is_registered(target) or not kind_of(target).offers(Capability.HIDE):
        raise ModerationError(message)
    return kind_of(target)


def _require_moderator(actor: Any) -> None:
    if not actor.is_authenticated or not actor.has_perm(PERMISSION):
        raise ModerationError(_("Only community managers may do this."))


@transaction.atomic
def decide_report(*, actor: Any, report: Report, hide: bool) -> bool:
    """Hide the reported content (``hide``) or dismiss the report and restore the content;
    returns whether the content was still there to decide on.

    Every open report about the same content is closed with the same decision. Hidden
    content disappears from every output; its cache scope changes (and what the content
    is on, through the kind's own hide). Content deleted
    since it was reported is gone from every output already: its open reports are closed
    with the decision given (hidden or dismissed) and nothing else changes.
    """
    _require_moderator(actor)
    try:
        target = resolve_target(report.content_type_id, report.object_id)
    except TargetError:
        target = None
    if target is not None:
        _hideable(target, _("This content can no longer be hidden.")).set_hidden(target, hide)
    status = Report.Status.HIDDEN if hide else Report.Status.DISMISSED
    _close_reports(report, status=status, actor=actor)
    if not hide:
        report.refresh_from_db()
        if report.status == Report.Status.HIDDEN:
            Report.objects.filter(pk=report.pk).update(
                status=Report.Status.DISMISSED, handled_by=actor, handled_at=timezone.now()
            )
    if target is not None:
        public_content_changed(target)
    return target is not None


def _close_reports(report: Report, *, status: str, actor: Any) -> None:
    """Close every open report about the content ``report`` is about."""
    Report.objects.filter(
        content_type_id=report.content_type_id,
        object_id=report.object_id,
        status=Report.Status.OPEN,
    ).update(status=status, handled_by=actor, handled_at=timezone.now())


@transaction.atomic
def hide_content(*, actor: Any, target: Any, hide: bool) -> None:
    """Hide ``target`` everywhere (``hide``) or restore it, without waiting for a report: a
    community manager's own decision. Open reports about it are closed as hidden when it
    is hidden; the public caches are purged.
    """
    _require_moderator(actor)
    _hideable(target, _("This content cannot be hidden.")).set_hidden(target, hide)
    if hide:
        Report.objects.filter(
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            status=Report.Status.OPEN,
        ).update(status=Report.Status.HIDDEN, handled_by=actor, handled_at=timezone.now())
    public_content_changed(target)


@transaction.atomic
def lock_discussion(*, actor: Any, thread: DiscussionThread, locked: bool) -> None:
    """Lock ``thread`` (no more replies; what is there stays readable) or unlock it; only
    community managers may."""
    _require_moderator(actor)
    set_thread_locked(thread, locked)
