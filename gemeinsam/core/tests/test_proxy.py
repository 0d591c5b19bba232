"""Behind the documented nginx: each visitor keeps their own login limit, and the
documentation shows the configuration these tests run."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings

from conftest import skip_or_fail
from gemeinsam.core.tests.support import free_port

NGINX_DIR = Path(django_settings.BASE_DIR) / "config" / "nginx"
OPERATIONS = Path(django_settings.BASE_DIR) / "docs" / "operations.md"


def test_operations_shows_the_nginx_configuration_as_it_is() -> None:
    documented = OPERATIONS.read_text()
    for name in ("gemeinsam.conf", "gemeinsam-proxy.conf", "gemeinsam-purge.conf"):
        assert (NGINX_DIR / name).read_text().strip() in documented, name


@dataclass(frozen=True)
class Nginx:
    """The port readers use, and the one purges go to."""

    port: int
    purge_port: int


@pytest.fixture
def nginx(live_server: Any, tmp_path: Path) -> Iterator[Nginx]:
    """nginx on 127.0.0.1 with gemeinsam-proxy.conf and gemeinsam-purge.conf as shipped, in
    front of the live server."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx-light)")
    port = free_port()
    purge_port = free_port()
    app = urlsplit(live_server.url)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would switch to an account that cannot enter tmp_path.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"""
{user}
worker_processes 1;
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    upstream gemeinsam {{ server {app.hostname}:{app.port}; }}
    proxy_cache_path {tmp_path / "edge"} levels=1:2 keys_zone=gemeinsam_edge:1m;
    server {{
        listen 127.0.0.1:{port};
        include {NGINX_DIR / "gemeinsam-proxy.conf"};
    }}
    server {{
        listen 127.0.0.1:{purge_port};
        include {NGINX_DIR / "gemeinsam-purge.conf"};
    }}
}}
"""
    )
    started = subprocess.run(  # our own binary and file
        [binary, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        check=False,
    )
    assert started.returncode == 0, started.stderr.decode()
    try:
        _wait_for(port)
        _wait_for(purge_port)
        yield Nginx(port, purge_port)
    finally:
        subprocess.run(
            [binary, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-s", "stop"],
            capture_output=True,
            check=False,
        )


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start")


class Visitor:
    """A browser on its own loopback address (127.0.0.2, 127.0.0.3, …), keeping cookies."""

    def __init__(self, port: int, address: str, host: str = "") -> None:
        self.port = port
        self.address = address
        self.host = host
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(self.address, 0)
        )
        headers = {}
        if self.cookies:  # as a browser: no Cookie header at all without cookies
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.host:
            headers["Host"] = self.host
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        response.text = response.body.decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response

    def log_in(self, email: str, password: str) -> Any:
        page = self.request("GET", "/en/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, (page.status, page.text[:300])
        return self.request(
            "POST",
            "/en/accounts/login/",
            {"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("trusted", "shared"), [(["127.0.0.1"], False), ([], True)])
def test_two_visitors_behind_nginx_keep_separate_login_limits_only_if_it_is_trusted(
    nginx: Nginx, settings: Any, staff_user: Any, trusted: list[str], shared: bool
) -> None:
    settings.TRUSTED_PROXIES = trusted
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    EmailAddress.objects.create(user=staff_user, email=staff_user.email, verified=True)
    guesser = Visitor(nginx.port, "127.0.0.2")
    for attempt in range(10):
        assert guesser.log_in(f"nobody-{attempt}@example.org", "wrong").status == 200

    locked_out = guesser.log_in(staff_user.email, "correct-horse-9")
    other = Visitor(nginx.port, "127.0.0.3").log_in(staff_user.email, "correct-horse-9")

    assert "Too many failed login attempts" in locked_out.text
    if shared:
        assert "Too many failed login attempts" in other.text
    else:
        assert other.status == 302, other.text[:500]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nginx_keeps_anonymous_pages_and_a_rating_purges_only_that_story(
    nginx: Nginx, settings: Any, newsroom: Any, member: Any
) -> None:
    from gemeinsam.core.engagement import target_reference
    from gemeinsam.ratings.services import rate_item

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{nginx.purge_port}",
        }
    }
    story_a = newsroom.add_story(title="Story A", slug="story-a")
    story_b = newsroom.add_story(title="Story B", slug="story-b")
    reader = Visitor(nginx.port, "127.0.0.2", host="localhost")  # the site's host name
    for story in (story_a, story_b):
        first = reader.request("GET", story.url)
        assert first.status == 200, first.text[:300]
        assert "public" in first.headers["Cache-Control"]
        assert reader.request("GET", story.url).headers["X-Edge-Cache"] == "HIT"
    assert "1 rating" not in reader.request("GET", story_a.url).text

    ct_id, obj_id = target_reference(story_a)
    rate_item(user=member, content_type_id=ct_id, object_id=obj_id, stars=7)  # commits

    fresh = reader.request("GET", story_a.url)
    assert fresh.headers["X-Edge-Cache"] == "HIT"  # the purge put the new page in the cache
    assert "1 rating" in fresh.text
    assert reader.request("GET", story_b.url).headers["X-Edge-Cache"] == "HIT"
    # The purge address answers nothing but purges, and only from this machine.
    assert Visitor(nginx.purge_port, "127.0.0.1").request("GET", story_a.url).status == 405
    assert Visitor(nginx.purge_port, "127.0.0.2").request("PURGE", story_a.url).status == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nginx_never_shares_a_page_with_a_form_token_or_a_members_page(
    nginx: Nginx, settings: Any, newsroom: Any, staff_user: Any
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    EmailAddress.objects.create(user=staff_user, email=staff_user.email, verified=True)
    story = newsroom.add_story()
    member = Visitor(nginx.port, "127.0.0.2")
    assert member.log_in(staff_user.email, "correct-horse-9").status == 302
    for _ in range(2):
        page = member.request("GET", story.url)
        assert page.status == 200
        assert "private" in page.headers["Cache-Control"]
        assert page.headers["X-Edge-Cache"] in ("BYPASS", "MISS")
    stranger = Visitor(nginx.port, "127.0.0.3")
    login = stranger.request("GET", "/en/accounts/login/")
    assert "public" not in login.headers.get("Cache-Control", "")
    # The member's pages were never stored: the first anonymous reader misses.
    assert stranger.request("GET", story.url).headers["X-Edge-Cache"] == "MISS"
