"""The registry of personal data: every model that holds data about a member says here what
it holds and what happens to it when the member leaves. Export and deletion are driven by
it, and a test fails when a model with a user foreign key is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models

Policy = Literal["delete", "anonymise", "keep-anonymous", "custom"]


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    # The path from the model to the member, e.g. "user" or "author".
    user_field: str
    # One sentence for the export README: what a row of this model is.
    description: str
    # Field name -> explanation, for the export README; these fields are exported.
    fields: dict[str, str] = field(default_factory=dict)
    # What deletion does: delete the rows, anonymise them (the app's own callable), or keep.
    policy: Policy = "delete"
    # For "anonymise"/"custom": called with (queryset of the member's rows, options dict).
    on_delete: Callable[[models.QuerySet[Any], dict[str, Any]], None] | None = None


_registry: dict[type[models.Model], list[PersonalData]] = {}


def register_personal_data(entry: PersonalData) -> None:
    entries = _registry.setdefault(entry.model, [])
    if all(existing.user_field != entry.user_field for existing in entries):
        entries.append(entry)


def registered() -> list[PersonalData]:
    return [entry for entries in _registry.values() for entry in entries]


def is_registered(model: type[models.Model], user_field: str) -> bool:
    return any(entry.user_field == user_field for entry in _registry.get(model, []))
