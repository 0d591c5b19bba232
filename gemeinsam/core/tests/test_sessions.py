"""Sessions know their member: deleting the account signs out everywhere, cheaply."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gemeinsam.core import privacy
from gemeinsam.core.models import DeletionRequest, MemberSession
from gemeinsam.core.privacy_views import DELETION_ATTEMPTS

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "pw-123456789"


@pytest.fixture
def leaving(db: Any) -> Any:
    return User.objects.create_user(email="leaving@example.org", password=PASSWORD)


@pytest.fixture
def staying(db: Any) -> Any:
    return User.objects.create_user(email="staying@example.org", password=PASSWORD)


def _signed_in(user: Any) -> Client:
    """A browser that signed in with the password (a real session, as after a login)."""
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def _is_signed_in(client: Client) -> bool:
    return client.get("/en/members/privacy/").status_code == 200


def test_a_session_row_records_its_member(leaving: Any) -> None:
    client = _signed_in(leaving)

    row = MemberSession.objects.get(session_key=client.session.session_key)

    assert row.user_id == leaving.pk


def test_a_session_saved_through_the_async_path_records_its_member(leaving: Any) -> None:
    from asgiref.sync import async_to_sync
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY

    from gemeinsam.core.sessions import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(leaving.pk)
    session[HASH_SESSION_KEY] = leaving.get_session_auth_hash()
    async_to_sync(session.asave)()

    assert MemberSession.objects.get(session_key=session.session_key).user_id == leaving.pk


def test_asking_to_delete_the_account_signs_the_member_out_everywhere(
    leaving: Any, staying: Any
) -> None:
    laptop, phone, tablet = _signed_in(leaving), _signed_in(leaving), _signed_in(leaving)
    someone_else = _signed_in(staying)

    response = laptop.post(
        "/en/members/privacy/delete/", {"password": PASSWORD, "comments": "keep"}
    )

    assert response.status_code == 303
    assert DeletionRequest.objects.filter(user=leaving).exists()
    assert not _is_signed_in(laptop)
    assert not _is_signed_in(phone)
    assert not _is_signed_in(tablet)
    assert _is_signed_in(someone_else)
    assert not MemberSession.objects.filter(user_id=leaving.pk).exists()


def test_the_deletion_form_stops_checking_passwords_after_a_few_tries(leaving: Any) -> None:
    client = _signed_in(leaving)
    answers = [
        client.post(
            "/en/members/privacy/delete/", {"password": f"guess-{n}", "comments": "keep"}
        ).status_code
        for n in range(DELETION_ATTEMPTS)
    ]

    refused = client.post("/en/members/privacy/delete/", {"password": PASSWORD, "comments": "keep"})

    assert answers == [400] * DELETION_ATTEMPTS
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "Too many attempts to confirm with your password" in html
    assert "That is not your password." not in html
    assert not DeletionRequest.objects.exists()
    assert _is_signed_in(client)


def test_the_purge_finds_the_member_s_sessions_by_the_indexed_column_only(
    leaving: Any, staying: Any
) -> None:
    """No session is read or decoded: one delete by user id, however many sessions exist."""
    _signed_in(leaving), _signed_in(leaving)
    others = [_signed_in(staying) for _n in range(3)]
    DeletionRequest.objects.create(user=leaving, purge_after=timezone.now())
    table = MemberSession._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        privacy.purge_member(user_id=leaving.pk)

    session_queries = [
        query["sql"]
        for query in queries.captured_queries
        if table in query["sql"] or "django_session" in query["sql"]
    ]
    assert session_queries, "the purge ends the member's sessions"
    assert all(sql.lstrip().upper().startswith("DELETE") for sql in session_queries)
    assert all('"user_id" =' in sql for sql in session_queries)
    assert not MemberSession.objects.filter(user_id=leaving.pk).exists()
    assert all(_is_signed_in(client) for client in others)


def test_purge_after_the_grace_period_signs_out_a_session_started_since(leaving: Any) -> None:
    client = _signed_in(leaving)
    client.post("/en/members/privacy/delete/", {"password": PASSWORD, "comments": "keep"})
    later = _signed_in(leaving)  # signing in again is allowed (it is how one cancels)

    with time_machine.travel(timezone.now() + timedelta(days=privacy.grace_days() + 1)):
        assert privacy.purge_due_deletions() == 1

    assert not MemberSession.objects.exists()
    assert not _is_signed_in(later)


def test_the_upgrade_keeps_members_signed_in_with_their_sessions(leaving: Any) -> None:
    """The migration copies the live sessions of Django's own table, with their member."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    old = SessionStore()
    old[SESSION_KEY] = str(leaving.pk)
    old.create()
    anonymous = SessionStore()
    anonymous["language"] = "de"
    anonymous.create()
    migration = importlib.import_module("gemeinsam.core.migrations.0004_member_session")

    migration.carry_over_sessions(apps, None)

    assert MemberSession.objects.get(session_key=old.session_key).user_id == leaving.pk
    assert MemberSession.objects.get(session_key=anonymous.session_key).user_id is None
