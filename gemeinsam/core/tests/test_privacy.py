"""Download my data and delete my account, driven by the personal-data registry."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from gemeinsam.core import privacy
from gemeinsam.core.models import DeletionRequest
from gemeinsam.core.personal_data import is_registered

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_every_model_with_a_member_link_is_in_the_registry() -> None:
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("gemeinsam."):
            continue
        for field in model._meta.get_fields():
            declared_here = getattr(field, "model", None) is model
            links = getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)
            to_member = links and field.related_model is User and field.concrete
            if declared_here and to_member and not is_registered(model, field.name):
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, f"add these to the personal-data registry: {missing}"


@pytest.fixture
def active_member(newsroom, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from gemeinsam.accounts.models import Profile
    from gemeinsam.community import services
    from gemeinsam.conversations.services import post_comment
    from gemeinsam.core.engagement import target_reference
    from gemeinsam.newsroom.models import ArticlePage
    from gemeinsam.newsroom.tests.factories import png_bytes
    from gemeinsam.ratings.services import rate_item

    member = User.objects.create_user(
        email="leaving.member@example.org", password="pw-123456789", display_name="Leaving"
    )
    friend = User.objects.create_user(email="friend@example.org", password="pw-123456789")
    story = newsroom.add_story(ArticlePage, title="Story")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_fave(user=member, target=story, faved=True)
        services.set_share(user=member, target=story, shared=True)
        services.follow_member(user=member, member=friend)
        services.follow_member(user=friend, member=member)
        services.become_fan(user=member)
        comment = post_comment(author=member, target=story, body=f"I was here, @member-{friend.pk}")
        post_comment(author=friend, target=story, body="Hello back", parent=comment)
        rate_item(
            user=member, content_type_id=target_reference(story)[0], object_id=story.pk, stars=9
        )
    Profile.objects.create(
        user=member,
        bio="Leaving soon",
        avatar=ContentFile(png_bytes(), name="me.png"),
    )
    return member


def test_export_holds_every_kind_of_data_with_a_readme(active_member) -> None:
    data = privacy.export_member_data(active_member)

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    readme = archive.read("README.md").decode()
    faves = json.loads(archive.read("community-fave-user.json"))
    account = json.loads(archive.read("accounts-user-pk.json"))
    assert "README.md" in names
    assert len(faves) == 1
    assert account[0]["email"] == "leaving.member@example.org"
    for name in names - {"README.md"}:
        assert f"## {name}" in readme


def test_export_is_a_download_for_the_member_only(active_member) -> None:
    anonymous = Client().post("/en/members/privacy/export/")
    client = Client(enforce_csrf_checks=True)
    client.force_login(active_member)
    page = client.get("/en/members/privacy/")
    token = client.cookies["csrftoken"].value

    response = client.post("/en/members/privacy/export/", {"csrfmiddlewaretoken": token})

    assert anonymous.status_code == 302
    assert page.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]


def test_deletion_needs_the_password_and_a_choice(active_member) -> None:
    client = Client()
    client.force_login(active_member)

    response = client.post("/en/members/privacy/delete/", {"password": "wrong"})

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert not DeletionRequest.objects.exists()


def test_member_can_cancel_within_the_grace_period(active_member) -> None:
    client = Client()
    client.force_login(active_member)
    client.post("/en/members/privacy/delete/", {"password": "pw-123456789", "comments": "keep"})
    assert DeletionRequest.objects.filter(user=active_member).exists()

    client.force_login(active_member)
    client.post("/en/members/privacy/cancel/")

    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert privacy.purge_due_deletions() == 0
    assert User.objects.filter(pk=active_member.pk).exists()


def all_rows_mention(email: str, user_id: int) -> list[str]:
    """Every table: text columns containing the address; user links holding the id."""
    found = []
    user_columns = {
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "related_model", None) is User
    }
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            columns = [column.name for column in description]
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str | bytes) and email in str(value):
                        found.append(f"{table}.{column} contains the address")
                    if (table, column) in user_columns and value == user_id:
                        found.append(f"{table}.{column} links to the member")
            if table == User._meta.db_table:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE id = %s', [user_id])  # noqa: S608
                if cursor.fetchone()[0]:
                    found.append("the account still exists")
    return found


def test_after_the_grace_period_no_table_or_file_knows_the_member(
    active_member, django_capture_on_commit_callbacks
) -> None:
    email, user_id = active_member.email, active_member.pk
    assert list(settings.MEDIA_ROOT.glob("avatars/**/*.*")), "the avatar file exists first"
    client = Client()
    client.force_login(active_member)
    client.post("/en/members/privacy/delete/", {"password": "pw-123456789", "comments": "delete"})

    later = timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert privacy.purge_due_deletions() == 1

    assert all_rows_mention(email, user_id) == []
    media = [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    assert not [path for path in media if email in path.read_bytes().decode("latin-1")]
    assert not list(settings.MEDIA_ROOT.glob("avatars/**/*.*")), "the avatar file is gone"
    from gemeinsam.conversations.models import Comment
    from gemeinsam.ratings.models import RatingAggregate

    assert Comment.objects.get(body="Hello back").parent.body == ""  # the reply stays readable
    assert RatingAggregate.objects.get().count == 0  # the rating left the aggregate


def test_one_purge_that_fails_does_not_stop_the_others(  # type: ignore[no-untyped-def]
    active_member, caplog, django_capture_on_commit_callbacks
) -> None:
    """A purge that raises is rolled back whole, its avatar file kept, and logged; the next
    member is purged."""
    from django.db.models.signals import pre_delete

    stuck = active_member
    avatars = list(settings.MEDIA_ROOT.glob("avatars/**/*.*"))
    assert avatars
    leaving = User.objects.create_user(email="leaving@example.org", password="pw-123456789")
    for user in (stuck, leaving):
        privacy.request_deletion(user=user, comments="delete")

    def refuse(sender: Any, instance: Any, **kwargs: Any) -> None:
        if instance.pk == stuck.pk:
            raise RuntimeError("the account is held by a foreign key we do not know")

    pre_delete.connect(refuse, sender=User, dispatch_uid="test-stuck-purge")
    try:
        later = timezone.now() + timedelta(days=settings.DELETION_GRACE_DAYS + 1)
        with (
            time_machine.travel(later),
            caplog.at_level(logging.ERROR),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert privacy.purge_due_deletions() == 1
    finally:
        pre_delete.disconnect(dispatch_uid="test-stuck-purge")

    assert not User.objects.filter(pk=leaving.pk).exists()
    assert User.objects.filter(pk=stuck.pk).exists()  # rolled back, not half purged
    assert all(path.exists() for path in avatars)  # and its avatar file is still there
    assert "purge-deleted-accounts" in caplog.text
    assert f"member {stuck.pk}" in caplog.text
