"""Scheduled publishing goes on when one due revision cannot be published."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from wagtail.signals import page_published

from gemeinsam.newsroom.models import PressReleasePage
from gemeinsam.newsroom.services import publish_due_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_release(newsroom):
    """A due release whose publishing raises inside Wagtail's publish, for real."""
    release = newsroom.add_embargoed_release(title="Broken release", lifts_in=timedelta(minutes=5))

    def explode(sender: Any, instance: Any, **kwargs: Any) -> None:
        if instance.pk == release.pk:
            raise RuntimeError("the search index is unreachable")

    page_published.connect(explode, dispatch_uid="test-broken-release")
    cache.clear()
    yield release
    page_published.disconnect(dispatch_uid="test-broken-release")


def test_one_failing_revision_does_not_block_the_other_releases(
    newsroom, broken_release, caplog
) -> None:
    later = newsroom.add_embargoed_release(title="Healthy release", lifts_in=timedelta(minutes=6))
    lift = later.go_live_at + timedelta(seconds=1)

    with time_machine.travel(lift), caplog.at_level(logging.ERROR):
        published = publish_due_content()

    later.refresh_from_db()
    broken_release.refresh_from_db()
    assert published == 1
    assert later.live
    assert not broken_release.live  # rolled back, still scheduled
    assert broken_release.scheduled_revision is not None
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "publish-due-content" in errors[0].getMessage()
    assert f"revision {broken_release.scheduled_revision.pk}" in errors[0].getMessage()
    assert "the search index is unreachable" in errors[0].getMessage()


def test_a_failing_revision_is_backed_off_then_retried(newsroom, broken_release, caplog) -> None:
    lift = broken_release.go_live_at + timedelta(seconds=1)
    with time_machine.travel(lift, tick=False) as clock:
        with caplog.at_level(logging.ERROR):
            assert publish_due_content() == 0
            for _ in range(5):  # the scheduler's next runs, every 10 s
                clock.shift(10)
                assert publish_due_content() == 0
        assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 2  # at 0, 30 s

        page_published.disconnect(dispatch_uid="test-broken-release")  # the fault is fixed
        clock.shift(60)
        assert publish_due_content() == 1

    broken_release.refresh_from_db()
    assert broken_release.live
    assert PressReleasePage.objects.live().filter(pk=broken_release.pk).exists()


def test_two_runs_that_loaded_the_same_due_revision_publish_it_once(newsroom) -> None:
    """Two workers' runs overlap: both loaded the due list before either published."""
    from wagtail.models import PageLogEntry, Revision

    from gemeinsam.newsroom.services import _publish_revision

    release = newsroom.add_embargoed_release(title="Once only", lifts_in=timedelta(minutes=5))
    with time_machine.travel(release.go_live_at + timedelta(seconds=1)):
        first, second = (
            Revision.page_revisions.get(pk=release.scheduled_revision.pk) for _ in range(2)
        )
        assert _publish_revision(first) == 1
        assert _publish_revision(second) == 0

    scheduled = PageLogEntry.objects.filter(page=release, action="wagtail.publish.scheduled")
    assert scheduled.count() == 1
