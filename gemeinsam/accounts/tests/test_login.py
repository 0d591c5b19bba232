"""One login for members and staff: by e-mail, throttled, with the site's layout."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_staff(staff_user):
    EmailAddress.objects.create(
        user=staff_user, email=staff_user.email, verified=True, primary=True
    )
    return staff_user


def test_staff_sign_in_by_email_and_reach_the_admin(verified_staff) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/accounts/login/")
    token = page.cookies["csrftoken"].value

    response = client.post(
        "/en/accounts/login/",
        {"login": "admin@example.org", "password": "correct-horse-9", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_login_without_csrf_token_is_refused(verified_staff) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/en/accounts/login/", {"login": "admin@example.org", "password": "correct-horse-9"}
    )

    assert response.status_code == 403


def test_repeated_wrong_passwords_are_throttled(verified_staff) -> None:
    client = Client()
    for _attempt in range(5):
        client.post("/en/accounts/login/", {"login": "admin@example.org", "password": "wrong"})

    response = client.post(
        "/en/accounts/login/", {"login": "admin@example.org", "password": "correct-horse-9"}
    )

    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_login_page_is_in_german_under_de() -> None:
    html = Client().get("/de/accounts/login/").content.decode()

    assert '<html lang="de">' in html
