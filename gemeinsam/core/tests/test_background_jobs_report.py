"""Staff see every periodic job, its lease and its latest run (a failure with its error) in
the admin's background-jobs report; others do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gemeinsam.core.tests.support import signed_in
from gemeinsam.newsroom.tasks import publish_due_content_task

pytestmark = pytest.mark.django_db

URL = "/admin/background-jobs/"


def test_staff_see_each_job_and_its_latest_failure(staff_user) -> None:
    DBTaskResult.objects.create(
        status="FAILED",
        task_path=publish_due_content_task.module_path,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        started_at=timezone.now() - timedelta(minutes=5),
        finished_at=timezone.now() - timedelta(minutes=4),
        traceback="gemeinsam.core.scheduler.LeaseExpiredError: the run was lost\n",
    )

    response = signed_in(staff_user).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html
    assert "Background jobs" in html
    for name in ("publish-due-content", "pull-outside-channels", "purge-deleted-accounts"):
        assert name in html
    assert "LeaseExpiredError: the run was lost" in html
    assert "failed" in html
    assert "30 s" in html  # the publishing lease


def test_members_cannot_read_the_report(member) -> None:
    response = signed_in(member).get(URL)

    assert response.status_code in (302, 403)


def test_staff_without_the_permission_are_refused(member) -> None:
    from django.contrib.auth.models import Permission

    member.user_permissions.add(Permission.objects.get(codename="access_admin"))

    response = signed_in(member).get(URL)

    assert response.status_code == 302  # Wagtail's answer to PermissionDenied
    assert response["Location"] == "/admin/"
