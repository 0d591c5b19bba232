"""Press officers create and withdraw embargo links in the admin; others cannot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from gemeinsam.accounts.models import User
from gemeinsam.accounts.roles import PRESS_OFFICER, ensure_staff_roles
from gemeinsam.newsroom.models import EmbargoLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def press_officer(db):
    ensure_staff_roles()
    user = User.objects.create_user(email="press@example.org", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=PRESS_OFFICER))
    return user


def test_press_officer_creates_a_link_and_sees_it_once(newsroom, press_officer) -> None:
    release = newsroom.add_embargoed_release(title="Quiet news")
    client = Client(enforce_csrf_checks=False)
    client.force_login(press_officer)

    page = client.get("/admin/embargo-links/")
    response = client.post(
        "/admin/embargo-links/",
        {"release": release.pk, "recipient": "Rita Reporter", "outlet": "Daily", "valid_days": 7},
    )

    assert page.status_code == 200
    assert "Quiet news" in page.content.decode()
    link = EmbargoLink.objects.get()
    assert link.recipient == "Rita Reporter"
    assert "/en/embargo/" in response.content.decode()


def test_bad_input_is_explained_and_stores_nothing(newsroom, press_officer) -> None:
    release = newsroom.add_embargoed_release()
    client = Client()
    client.force_login(press_officer)

    response = client.post(
        "/admin/embargo-links/", {"release": release.pk, "recipient": "", "valid_days": 99}
    )

    assert response.status_code == 200
    assert not EmbargoLink.objects.exists()
    assert "error-message" in response.content.decode()


def test_press_officer_withdraws_a_link(newsroom, press_officer) -> None:
    release = newsroom.add_embargoed_release()
    client = Client()
    client.force_login(press_officer)
    client.post(
        "/admin/embargo-links/", {"release": release.pk, "recipient": "Rita", "valid_days": 3}
    )
    link = EmbargoLink.objects.get()

    client.post(f"/admin/embargo-links/{link.pk}/revoke/")

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert not link.is_usable


def test_editors_without_press_rights_are_refused(newsroom) -> None:
    ensure_staff_roles()
    editor = User.objects.create_user(email="ed@example.org", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)

    assert client.get("/admin/embargo-links/").status_code in (302, 403)
