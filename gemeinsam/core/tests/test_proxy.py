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
    for name in ("gemeinsam.conf", "gemeinsam-proxy.conf"):
        assert (NGINX_DIR / name).read_text().strip() in documented, name


@pytest.fixture
def nginx(live_server: Any, tmp_path: Path) -> Iterator[int]:
    """nginx on 127.0.0.1 with gemeinsam-proxy.conf as shipped, in front of the live server."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx-light)")
    port = free_port()
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
        yield port
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

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(self.address, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()
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
    nginx: int, settings: Any, staff_user: Any, trusted: list[str], shared: bool
) -> None:
    settings.TRUSTED_PROXIES = trusted
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    EmailAddress.objects.create(user=staff_user, email=staff_user.email, verified=True)
    guesser = Visitor(nginx, "127.0.0.2")
    for attempt in range(10):
        assert guesser.log_in(f"nobody-{attempt}@example.org", "wrong").status == 200

    locked_out = guesser.log_in(staff_user.email, "correct-horse-9")
    other = Visitor(nginx, "127.0.0.3").log_in(staff_user.email, "correct-horse-9")

    assert "Too many failed login attempts" in locked_out.text
    if shared:
        assert "Too many failed login attempts" in other.text
    else:
        assert other.status == 302, other.text[:500]
