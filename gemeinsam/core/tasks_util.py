"""Enqueue background tasks only once the surrounding transaction has committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task`` with these arguments after the current transaction commits."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
