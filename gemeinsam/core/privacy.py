"""Download my data and delete my account, both driven by the personal-data registry.

Export: one JSON file per registered model (only the fields the registry explains) plus a
README that explains every file and field.

Deletion: a request starts a grace period (14 days by default, GEMEINSAM_DELETION_GRACE_DAYS)
during which the member can cancel by signing in. Then :func:`purge_member` runs every
registered policy — rows deleted, or handed to the app's own hook (comments kept as
"deleted member" or removed, ratings taken out of aggregates, files removed) — signs the
member out everywhere, clears their id from Wagtail's logs and finally deletes the account.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import zipfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from gemeinsam.core.jobs import run_isolated
from gemeinsam.core.models import DeletionRequest
from gemeinsam.core.personal_data import PersonalData, registered
from gemeinsam.core.sessions import end_sessions

logger = logging.getLogger(__name__)

COMMENT_CHOICES = ("delete", "keep")


class PrivacyError(ValueError):
    """A privacy request cannot be done; the message says why."""


def grace_days() -> int:
    return int(getattr(settings, "DELETION_GRACE_DAYS", 14))


def _rows(entry: PersonalData, user: Any) -> models.QuerySet[Any]:
    return entry.model._default_manager.filter(**{entry.user_field: user.pk})


def _value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, FieldFile):  # an empty one has a name but no url
        return value.name or ""
    return value


def export_member_data(user: Any) -> bytes:
    """A ZIP of JSON files, one per kind of data, and a README explaining every field."""
    buffer = io.BytesIO()
    readme = [
        f"# Your data at {settings.SITE_NAME}",
        "",
        f"Exported {timezone.now():%Y-%m-%d %H:%M %Z} for {user.email}.",
        "Each .json file holds a list of records. Dates are ISO 8601 in UTC.",
        "",
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in sorted(registered(), key=lambda e: (e.model._meta.label, e.user_field)):
            name = f"{entry.model._meta.label_lower.replace('.', '-')}-{entry.user_field}.json"
            records = []
            for row in _rows(entry, user):
                record = {"id": row.pk}
                for field_name in entry.fields:
                    record[field_name] = _value(getattr(row, field_name, None))
                records.append(record)
            archive.writestr(
                name, json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
            readme += [f"## {name}", "", entry.description, "", "- `id`: the record's number."]
            readme += [f"- `{field}`: {text}" for field, text in entry.fields.items()]
            readme.append("")
        archive.writestr("README.md", "\n".join(readme))
    return buffer.getvalue()


@transaction.atomic
def request_deletion(
    *, user: Any, comments: str, current_session_key: str | None = None
) -> DeletionRequest:
    """Schedule ``user``'s account for deletion after the grace period.

    ``comments`` is the member's choice: "delete" removes their comments' text, "keep"
    keeps them under "deleted member". Signs the member out of every session but
    ``current_session_key`` (the caller signs that one out itself).
    """
    if comments not in COMMENT_CHOICES:
        raise PrivacyError("Choose what happens to your comments.")
    request, _created = DeletionRequest.objects.update_or_create(
        user=user,
        defaults={
            "purge_after": timezone.now() + timedelta(days=grace_days()),
            "options": {"comments": comments},
        },
    )
    end_sessions(user_id=user.pk, keep_session_key=current_session_key)
    return request


@transaction.atomic
def cancel_deletion(*, user: Any) -> bool:
    return bool(DeletionRequest.objects.filter(user=user).delete()[0])


def _clear_wagtail_logs(user_id: int) -> None:
    from wagtail.models import ModelLogEntry, PageLogEntry

    for log_model in (ModelLogEntry, PageLogEntry):
        log_model.objects.filter(user_id=user_id).update(user_id=None)


@transaction.atomic
def purge_member(*, user_id: int) -> None:
    """Delete the member's personal data by every registered policy, then the account."""
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None:
        return
    request = DeletionRequest.objects.filter(user=user).first()
    options = dict(request.options) if request else {"comments": "delete"}
    for entry in registered():
        if entry.model is type(user):
            continue
        rows = _rows(entry, user)
        if entry.on_delete is not None:
            entry.on_delete(rows, options)
        elif entry.policy == "delete":
            rows.delete()
    end_sessions(user_id=user.pk)
    _clear_wagtail_logs(user.pk)
    user.delete()
    logger.info("Purged member %s.", user_id)


def purge_due_deletions() -> int:
    """Purge every account whose grace period has ended; returns how many were purged.

    Idempotent. Each member is purged in a transaction of its own: one whose purge fails is
    rolled back whole (nothing half-deleted), logged and backed off, and the others are
    purged all the same.
    """
    due = list(
        DeletionRequest.objects.filter(purge_after__lte=timezone.now()).values_list(
            "user_id", flat=True
        )
    )
    purged = 0
    for user_id in due:
        purged += run_isolated(
            job="purge-deleted-accounts",
            item=f"member {user_id}",
            action=functools.partial(_purged, user_id),
            failed=0,
        )
    return purged


def _purged(user_id: int) -> int:
    purge_member(user_id=user_id)
    return 1
