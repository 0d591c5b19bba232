"""Periodic jobs item by item: one failing item is logged, backed off and skipped, never fatal.

A job that works through a list (due revisions, members owed a digest) hands each item to
``run_isolated``: the item runs in its own transaction (a savepoint inside an outer one), a
failure rolls back only that item and is logged at ERROR with the job and the item, and the
item is left alone for a growing while (30 s, 1 min, 2 min … at most an hour) so that one
broken item neither blocks the others nor fails again every few seconds. The backoff lives
in the cache: losing it costs one early retry, nothing more.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

ITEM_RETRY_BASE_SECONDS = 30.0
ITEM_RETRY_CAP_SECONDS = 60 * 60.0


def _key(job: str, item: str) -> str:
    return "jobs:item-failure:" + re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{job}:{item}")


def _failure(job: str, item: str) -> dict[str, Any] | None:
    try:
        value = cache.get(_key(job, item))
    except Exception:  # a cache outage must not stop the job: retry as if never failed
        logger.warning("Could not read the backoff of %s item %s.", job, item, exc_info=True)
        return None
    return value if isinstance(value, dict) else None


def is_backed_off(*, job: str, item: str, now: float | None = None) -> bool:
    """Whether ``item`` failed recently in ``job`` and waits before its next try."""
    failure = _failure(job, item)
    now = time.time() if now is None else now
    return failure is not None and now < float(failure.get("retry_at", 0))


def run_isolated(
    *, job: str, item: str, action: Callable[[], T], failed: T, atomic: bool = True
) -> T:
    """Run ``action`` for one item of ``job`` in its own transaction; return what it returns.

    ``atomic=False`` is for an action that manages its own transactions (one that sends
    mail, say, which must not happen inside an open write transaction).

    Skips (returning ``failed``) an item still backed off after an earlier failure. On an
    exception the item's writes are rolled back, the error is logged at ERROR with the job
    and the item, and the item is backed off exponentially. Success clears its backoff.
    """
    if is_backed_off(job=job, item=item):
        return failed
    try:
        with transaction.atomic() if atomic else contextlib.nullcontext():
            result = action()
    except Exception as error:
        failures = int((_failure(job, item) or {}).get("failures", 0)) + 1
        delay = min(ITEM_RETRY_BASE_SECONDS * 2 ** (failures - 1), ITEM_RETRY_CAP_SECONDS)
        logger.error(
            "Background job %s: %s failed (%d time(s) in a row): %s: %s — skipped, next try "
            "in %g s.",
            job,
            item,
            failures,
            type(error).__name__,
            error,
            delay,
            exc_info=True,
        )
        try:
            cache.set(
                _key(job, item),
                {"failures": failures, "retry_at": time.time() + delay},
                int(ITEM_RETRY_CAP_SECONDS * 4),
            )
        except Exception:
            logger.warning("Could not store the backoff of %s item %s.", job, item, exc_info=True)
        return failed
    if _failure(job, item) is not None:
        try:
            cache.delete(_key(job, item))
        except Exception:
            logger.warning("Could not clear the backoff of %s item %s.", job, item, exc_info=True)
    return result
