"""The client's address: believed from X-Forwarded-For only hop by hop from trusted proxies."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from gemeinsam.core.clientip import client_ip, client_key

PROXY = "10.0.0.5"


def _request(remote: str, forwarded: str | None = None) -> Any:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request(PROXY, "198.51.100.7")) == PROXY


def test_behind_a_trusted_proxy_the_forwarded_client_counts(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request(PROXY, "198.51.100.7")) == "198.51.100.7"


def test_entries_the_client_wrote_itself_are_not_believed(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the real address.
    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request(PROXY, "1.2.3.4, 198.51.100.7, 10.9.9.9")) == "198.51.100.7"


def test_a_request_from_elsewhere_is_its_own_client(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(_request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_a_garbled_entry_stops_the_walk(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request(PROXY, "198.51.100.7, not-an-address")) == PROXY
    assert client_ip(_request(PROXY, "[2001:db8::1]:4711")) == "2001:db8::1"


def test_ipv6_clients_are_counted_by_their_64_network(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    first = client_key(_request("2001:db8:1:2:aaaa::1"))
    second = client_key(_request("2001:db8:1:2:bbbb::2"))
    assert first == second == "2001:db8:1:2::/64"
    assert client_key(_request("192.0.2.1")) == "192.0.2.1"


def test_a_typo_in_the_setting_is_a_clear_error(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="GEMEINSAM_TRUSTED_PROXIES"):
        client_ip(_request(PROXY, "198.51.100.7"))


def _fail_logins(client: Client, forwarded: str, attempts: int) -> None:
    for attempt in range(attempts):
        client.post(
            "/en/accounts/login/",
            {"login": f"nobody-{attempt}@example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=forwarded,
            REMOTE_ADDR=PROXY,
        )


def _signs_in(client: Client, forwarded: str) -> bool:
    response = client.post(
        "/en/accounts/login/",
        {"login": "admin@example.org", "password": "correct-horse-9"},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=PROXY,
    )
    return response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(("trusted", "other_client_locked_out"), [([PROXY], False), ([], True)])
def test_login_limits_are_per_client_only_behind_a_trusted_proxy(
    settings: Any, staff_user: Any, trusted: list[str], other_client_locked_out: bool
) -> None:
    """Ten wrong logins from one visitor behind the proxy lock out that visitor; another
    visitor behind the same proxy is locked out too only when the proxy is not trusted
    (then every visitor is the proxy's one address)."""
    settings.TRUSTED_PROXIES = trusted
    EmailAddress.objects.create(user=staff_user, email=staff_user.email, verified=True)
    _fail_logins(Client(), "198.51.100.1", attempts=10)

    assert not _signs_in(Client(), "198.51.100.1")
    assert _signs_in(Client(), "198.51.100.2") is not other_client_locked_out
