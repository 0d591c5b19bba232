"""Outbound fetching refuses private networks, follows few redirects and caps size and time."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gemeinsam.core import outbound
from gemeinsam.core.outbound import (
    FetchConnectionError,
    FetchTimeoutError,
    InvalidAddressError,
    PortNotAllowedError,
    PrivateAddressError,
    ResponseTooLargeError,
    TLSError,
    TooManyRedirectsError,
    fetch,
    is_public_address,
)

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """An HTTP server on 127.0.0.1 in a thread; routes map a path to a handler function."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_error(404)
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.thread.start()
    yield local
    local.httpd.shutdown()
    local.httpd.server_close()


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True


def send(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return send(b"", status=status, headers={"Location": location})


def fake_resolver(*addresses: str) -> Callable[..., list[tuple[Any, ...]]]:
    """A stand-in for socket.getaddrinfo that answers with these addresses."""

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        answers = []
        for address in addresses:
            if ":" in address:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return answers

    return getaddrinfo


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fails the test if a socket connects anywhere; records the attempts."""
    attempts: list[Any] = []

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


# ------------------------------------------------------------------------- refused addresses


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fec0::1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:a00:1::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://127.1/",
        "http://2130706433/",
        "https://127.0.0.1:8443/feed.xml",
    ],
)
def test_refuses_special_addresses(url: str, no_connect: list[Any]) -> None:
    with pytest.raises(PrivateAddressError, match="private network"):
        fetch(url, max_bytes=1000, timeout=2, headers={})
    assert no_connect == []


def test_refuses_a_host_name_that_resolves_to_a_private_address(
    monkeypatch: pytest.MonkeyPatch, no_connect: list[Any]
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("10.20.30.40"))

    with pytest.raises(PrivateAddressError) as caught:
        fetch("https://feeds.example.com/rss", max_bytes=1000, timeout=2, headers={})

    assert str(caught.value) == (
        "The address points to a private network: feeds.example.com is not a public address "
        "on the internet."
    )
    assert no_connect == []


@pytest.mark.parametrize("address", ["10.20.30.40", "169.254.169.254", "fd00::1", "::1"])
def test_refusals_never_name_the_resolved_address(
    monkeypatch: pytest.MonkeyPatch, no_connect: list[Any], caplog: Any, address: str
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver(address))

    with (
        caplog.at_level("INFO", logger="gemeinsam.core.outbound"),
        pytest.raises(PrivateAddressError) as caught,
    ):
        fetch("http://intranet.example.com/", max_bytes=1000, timeout=2)

    assert address not in str(caught.value)
    assert address in caplog.text  # the details stay in the server's log


@pytest.mark.parametrize("url", ["http://feeds.example.com:22/", "https://feeds.example.com:6379/"])
def test_refuses_ports_other_than_the_web_s_own(
    monkeypatch: pytest.MonkeyPatch, no_connect: list[Any], url: str
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("93.184.216.34"))

    with pytest.raises(PortNotAllowedError, match="usual ports"):
        fetch(url, max_bytes=1000, timeout=2)
    assert no_connect == []


def test_allowed_extra_ports_are_fetched(
    server: LocalServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed"] = send(b"ok")
    monkeypatch.setattr(outbound, "is_public_address", lambda address: True)
    settings.OUTBOUND_EXTRA_PORTS = [server.port]

    assert fetch(server.url("/feed"), max_bytes=100, timeout=5).body == b"ok"
    settings.OUTBOUND_EXTRA_PORTS = []
    with pytest.raises(PortNotAllowedError):
        fetch(server.url("/feed"), max_bytes=100, timeout=5)


def test_refuses_when_any_resolved_address_is_private(
    monkeypatch: pytest.MonkeyPatch, no_connect: list[Any]
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("93.184.216.34", "::1"))

    with pytest.raises(PrivateAddressError):
        fetch("http://mixed.example.com/", max_bytes=1000, timeout=2, headers={})
    assert no_connect == []


def test_allowing_private_for_tests_allows_loopback_only(
    allow_loopback: None, no_connect: list[Any]
) -> None:
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[fe80::1]/"):
        with pytest.raises(PrivateAddressError):
            fetch(url, max_bytes=1000, timeout=2, headers={})
    assert no_connect == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("::ffff:93.184.216.34", True),
        ("64:ff9b::5db8:d822", True),
        ("2002:5db8:d822::1", True),
        ("64:ff9b::7f00:1", False),
        ("2002:c0a8:101::1", False),
        ("2001::1", False),
        ("::a00:1", False),
        ("192.0.2.1", False),
        ("198.18.0.1", False),
        ("255.255.255.255", False),
        ("ff02::1", False),
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed.xml",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http:///no-host",
        "http://user:secret@example.com/",
        "http://example.com:99999/",
        "",
    ],
)
def test_refuses_addresses_that_are_not_http(url: str, no_connect: list[Any]) -> None:
    with pytest.raises(InvalidAddressError):
        fetch(url, max_bytes=1000, timeout=2, headers={})
    assert no_connect == []


# ------------------------------------------------------------------- against a local server


def test_fetches_from_a_local_server_when_allowed(
    server: LocalServer, allow_loopback: None
) -> None:
    server.routes["/hello"] = send(b"hello", headers={"ETag": '"v1"'})

    result = fetch(server.url("/hello?x=1"), max_bytes=1000, timeout=5, headers={"X-Test": "1"})

    assert result.status == 200
    assert result.body == b"hello"
    assert result.headers["etag"] == '"v1"'
    assert result.final_url == server.url("/hello?x=1")
    path, headers = server.requests[0]
    assert path == "/hello?x=1"
    assert headers["X-Test"] == "1"
    assert headers["Host"] == f"127.0.0.1:{server.port}"
    assert headers["Accept-Encoding"] == "identity"


def test_default_settings_refuse_the_local_server(server: LocalServer) -> None:
    server.routes["/hello"] = send(b"hello")

    with pytest.raises(PrivateAddressError):
        fetch(server.url("/hello"), max_bytes=1000, timeout=5, headers={})
    assert server.requests == []


def test_connects_to_the_vetted_address_and_sends_the_host_name(
    server: LocalServer, allow_loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed"] = send(b"ok")
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("127.0.0.1"))

    result = fetch(f"http://feeds.example.test:{server.port}/feed", max_bytes=100, timeout=5)

    assert result.body == b"ok"
    assert server.requests[0][1]["Host"] == f"feeds.example.test:{server.port}"


def test_https_checks_the_certificate_against_the_host_name(
    server: LocalServer, allow_loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("127.0.0.1"))
    seen: list[str | None] = []

    def wrap_socket(self: ssl.SSLContext, sock: socket.socket, **kwargs: Any) -> Any:
        seen.append(kwargs.get("server_hostname"))
        assert self.check_hostname
        assert self.verify_mode == ssl.CERT_REQUIRED
        raise ssl.SSLCertVerificationError(1, "certificate verify failed")

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)

    with pytest.raises(TLSError, match="secure connection"):
        fetch(f"https://feeds.example.test:{server.port}/", max_bytes=100, timeout=5)
    assert seen == ["feeds.example.test"]


def test_follows_a_relative_redirect(server: LocalServer, allow_loopback: None) -> None:
    server.routes["/old"] = redirect("/new", status=301)
    server.routes["/new"] = send(b"moved")

    result = fetch(server.url("/old"), max_bytes=100, timeout=5, headers={})

    assert result.body == b"moved"
    assert result.final_url == server.url("/new")


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:a00:1]/"],
)
def test_refuses_a_redirect_to_a_private_address(
    server: LocalServer, allow_loopback: None, location: str
) -> None:
    server.routes["/jump"] = redirect(location)

    with pytest.raises(PrivateAddressError):
        fetch(server.url("/jump"), max_bytes=100, timeout=5, headers={})


def test_refuses_a_redirect_to_another_scheme(server: LocalServer, allow_loopback: None) -> None:
    server.routes["/jump"] = redirect("file:///etc/passwd")

    with pytest.raises(InvalidAddressError):
        fetch(server.url("/jump"), max_bytes=100, timeout=5, headers={})


def test_follows_three_redirects_but_not_four(server: LocalServer, allow_loopback: None) -> None:
    for number in range(1, 5):
        server.routes[f"/r{number}"] = redirect(f"/r{number + 1}")
    server.routes["/r5"] = send(b"end")

    assert fetch(server.url("/r2"), max_bytes=100, timeout=5).body == b"end"
    with pytest.raises(TooManyRedirectsError, match="more than 3"):
        fetch(server.url("/r1"), max_bytes=100, timeout=5)


def test_returns_error_statuses_without_raising(server: LocalServer, allow_loopback: None) -> None:
    result = fetch(server.url("/missing"), max_bytes=10_000, timeout=5)

    assert result.status == 404


def test_refuses_a_declared_length_over_the_cap(server: LocalServer, allow_loopback: None) -> None:
    server.routes["/big"] = send(b"x" * 5000)

    with pytest.raises(ResponseTooLargeError, match="larger than"):
        fetch(server.url("/big"), max_bytes=4096, timeout=5)


def test_aborts_an_undeclared_body_as_soon_as_it_exceeds_the_cap(
    server: LocalServer, allow_loopback: None
) -> None:
    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()  # no Content-Length: read until the connection closes
        for _ in range(2000):
            handler.wfile.write(b"y" * 8192)

    server.routes["/endless"] = endless

    with pytest.raises(ResponseTooLargeError):
        fetch(server.url("/endless"), max_bytes=100_000, timeout=5)


def test_times_out_on_a_slow_server(server: LocalServer, allow_loopback: None) -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(2)
        send(b"late")(handler)

    server.routes["/slow"] = slow
    started = time.monotonic()

    with pytest.raises(FetchTimeoutError, match=r"Timed out after 0\.5 s"):
        fetch(server.url("/slow"), max_bytes=100, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_times_out_on_a_server_that_drips_its_body(
    server: LocalServer, allow_loopback: None
) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"z")
            handler.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip"] = drip
    started = time.monotonic()

    with pytest.raises(FetchTimeoutError):
        fetch(server.url("/drip"), max_bytes=1000, timeout=0.8)
    assert time.monotonic() - started < 2


def test_a_closed_port_is_a_connection_error(allow_loopback: None) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    with pytest.raises(FetchConnectionError, match="Could not connect"):
        fetch(f"http://127.0.0.1:{port}/", max_bytes=100, timeout=2)


def test_every_error_is_an_outbound_error() -> None:
    for error in (PrivateAddressError, ResponseTooLargeError, FetchTimeoutError, TLSError):
        assert issubclass(error, outbound.OutboundError)
