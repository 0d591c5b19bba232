"""Background work of the analytics app."""

from __future__ import annotations

from django_tasks import task

from gemeinsam.analytics.counting import flush_views


@task()
def flush_view_counts_task() -> int:
    """Move the views recorded since the last run into the daily totals."""
    return flush_views()
