"""Fetching from addresses that others typed in, without letting them reach our own network.

:func:`fetch` speaks plain HTTP/1.1 over ``http`` and ``https`` only. It resolves the host
name itself and vets *every* address the name resolves to at connect time, then connects to
a vetted address (so a second, different DNS answer cannot slip in between check and use).
Refused are loopback, private, link-local, multicast, reserved, unspecified and shared
(CGNAT) addresses, and IPv6 addresses that wrap one of those (IPv4-mapped, NAT64, 6to4).
Redirects are followed at most :data:`MAX_REDIRECTS` times, each target checked again. One
deadline covers the whole fetch, and the body is cut off as soon as it exceeds the cap.

Only the ports 80 and 443 are spoken to, and those in ``settings.OUTBOUND_EXTRA_PORTS``.

Every failure is an :class:`OutboundError` subclass whose message is a sentence for the
person who entered the address. It never names the address a host name resolved to, nor
says which special network that is (that would map the internal network for whoever types
addresses in); the details go to the server's log. ``settings.OUTBOUND_ALLOW_PRIVATE`` (read
on each call) allows loopback addresses on any port, and nothing else, for tests against
local servers.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
USER_AGENT = "Gemeinsam/0.1 (newsroom feed reader)"
# Headers that must not travel to another host when a redirect leaves the original one.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
# Characters left alone when re-quoting a path or query: the reserved set and "%".
SAFE_URL_CHARACTERS = "/%:@!$&'()*+,;=-._~?"

DEFAULT_PORTS = frozenset({80, 443})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

logger = logging.getLogger(__name__)

_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


# ------------------------------------------------------------------------------------ errors


class OutboundError(Exception):
    """A fetch failed; ``str(error)`` says why, in a sentence for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAddressError(OutboundError):
    """The address is not an http(s) URL with a host name."""


class PrivateAddressError(OutboundError):
    """The host resolves to an address inside a private or otherwise special network."""


class PortNotAllowedError(InvalidAddressError):
    """The address names a port other than the web's own (80, 443) or those allowed."""


class ResolutionError(OutboundError):
    """The host name does not resolve."""


class FetchConnectionError(OutboundError):
    """No connection could be made, or it broke off."""


class TLSError(FetchConnectionError):
    """The secure connection could not be set up (certificate or handshake)."""


class FetchTimeoutError(OutboundError):
    """The fetch took longer than its time limit."""


class ResponseTooLargeError(OutboundError):
    """The response body is larger than the cap."""


class TooManyRedirectsError(OutboundError):
    """The address redirects more often than we follow."""


class InvalidResponseError(OutboundError):
    """The server did not answer in HTTP."""


# ------------------------------------------------------------------------------------ result


@dataclass(frozen=True)
class FetchResult:
    """What came back: status, headers (lower-case names), body, and the address after
    redirects."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    final_url: str
    redirects: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- address checks


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that an IPv4-mapped, NAT64 or 6to4 address stands for."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is a globally routed unicast address we may connect to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
        if (
            address in _NAT64_LOCAL
            or address.teredo is not None
            or address.is_site_local
            or int(address) >> 32 == 0  # ::/96: unspecified, loopback, IPv4-compatible
        ):
            return False
    elif address in _SHARED_V4:
        return False
    special = (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    return not special and address.is_global


def _is_loopback(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_address(address: IPAddress, *, host: str, allow_loopback: bool) -> None:
    """Raise :class:`PrivateAddressError` unless we may connect to ``address``."""
    if is_public_address(address):
        return
    if allow_loopback and _is_loopback(address):
        return
    logger.info("Refused to fetch from %s: it resolves to %s, not a public address.", host, address)
    raise PrivateAddressError(
        _(
            "The address points to a private network: %(host)s is not a public address on "
            "the internet."
        )
        % {"host": host}
    )


def check_port(port: int, *, loopback: bool) -> None:
    """Raise :class:`PortNotAllowedError` unless we may connect to ``port``: 80, 443, those
    in ``settings.OUTBOUND_EXTRA_PORTS``, or any port of an allowed loopback address."""
    allowed = DEFAULT_PORTS | {int(extra) for extra in settings.OUTBOUND_EXTRA_PORTS}
    if port in allowed or loopback:
        return
    raise PortNotAllowedError(
        _("Only addresses on the web's usual ports (80 and 443) can be fetched.")
    )


# ------------------------------------------------------------------------------- connecting


class _Deadline:
    """One time limit for a whole fetch; closes the current socket when it passes.

    Socket timeouts only bound each single read, so a server that drips one byte at a time
    could hold a fetch open forever; the watchdog thread shuts the socket down instead.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if sock is not None and self.expired:
                sock.close()

    def remaining(self) -> float:
        left = self.ends_at - time.monotonic()
        if left <= 0 or self.expired:
            raise self.error()
        return left

    def error(self) -> FetchTimeoutError:
        return FetchTimeoutError(
            _("Timed out after %(seconds)s s") % {"seconds": f"{self.seconds:g}"}
        )


def _resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise ResolutionError(
            _("The host name %(host)s could not be resolved.") % {"host": host}
        ) from error
    if not infos:
        raise ResolutionError(_("The host name %(host)s could not be resolved.") % {"host": host})
    return infos


def _connect_vetted(
    host: str, port: int, *, deadline: _Deadline, allow_loopback: bool
) -> socket.socket:
    """Resolve ``host``, refuse it if any address is special, and connect to a vetted one."""
    infos = _resolve(host, port)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        check_address(address, host=host, allow_loopback=allow_loopback)
    check_port(port, loopback=allow_loopback and all(map(_is_loopback, addresses)))
    last_error: OSError | None = None
    for family, socktype, proto, _canonname, sockaddr in infos:
        sock = socket.socket(family, socktype, proto)
        try:
            sock.settimeout(deadline.remaining())
            deadline.watch(sock)
            sock.connect(sockaddr)
        except TimeoutError as error:
            sock.close()
            raise deadline.error() from error
        except OSError as error:
            sock.close()
            if deadline.expired:
                raise deadline.error() from error
            last_error = error
            continue
        return sock
    reason = getattr(last_error, "strerror", None) or str(last_error)
    raise FetchConnectionError(
        _("Could not connect to %(host)s: %(reason)s.") % {"host": host, "reason": reason}
    )


class _VettedConnectionMixin:
    """Replaces http.client's connect step with the vetted one; TLS (SNI and certificate
    check against the host name) is then layered on top by HTTPSConnection as usual."""

    deadline: _Deadline
    allow_loopback: bool

    def _vetted_create_connection(
        self, address: tuple[str, int], timeout: object = None, source_address: object = None
    ) -> socket.socket:
        host, port = address
        return _connect_vetted(
            host, port, deadline=self.deadline, allow_loopback=self.allow_loopback
        )


class _HTTPConnection(_VettedConnectionMixin, http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, deadline: _Deadline, allow_loopback: bool):
        super().__init__(host, port, timeout=deadline.remaining())
        self.deadline = deadline
        self.allow_loopback = allow_loopback
        self._create_connection = self._vetted_create_connection


class _HTTPSConnection(_VettedConnectionMixin, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, deadline: _Deadline, allow_loopback: bool):
        context = ssl.create_default_context()
        super().__init__(host, port, timeout=deadline.remaining(), context=context)
        self.deadline = deadline
        self.allow_loopback = allow_loopback
        self._create_connection = self._vetted_create_connection


# ---------------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII (IDNA) form, IPv6 without brackets
    port: int
    path: str

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def _parse(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise InvalidAddressError(_("The address is not a valid URL.")) from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidAddressError(_("Only http and https addresses can be fetched."))
    if not parts.hostname:
        raise InvalidAddressError(_("The address has no host name."))
    if parts.username is not None or parts.password is not None:
        raise InvalidAddressError(_("Addresses with a user name or password are not fetched."))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidAddressError(_("The host name is not valid.")) from error
    port = port or (443 if scheme == "https" else 80)
    path = quote(parts.path or "/", safe=SAFE_URL_CHARACTERS)
    if parts.query:
        path += "?" + quote(parts.query, safe=SAFE_URL_CHARACTERS)
    return _Target(scheme=scheme, host=host, port=port, path=path)


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


def _too_large(max_bytes: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        _("The response is larger than %(size)s, the most we accept.")
        % {"size": _human_size(max_bytes)}
    )


def _read_body(response: http.client.HTTPResponse, *, max_bytes: int, deadline: _Deadline) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    total = 0
    while True:
        deadline.remaining()
        chunk = response.read(min(CHUNK_SIZE, max_bytes - total + 1))
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    if deadline.expired:  # the watchdog closed the socket: the body is cut short
        raise deadline.error()
    return b"".join(chunks)


def _collect_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _request_once(
    target: _Target,
    *,
    headers: Mapping[str, str],
    max_bytes: int,
    deadline: _Deadline,
    allow_loopback: bool,
) -> tuple[int, dict[str, str], bytes]:
    connection_class = _HTTPSConnection if target.scheme == "https" else _HTTPConnection
    connection = connection_class(
        target.host, target.port, deadline=deadline, allow_loopback=allow_loopback
    )
    try:
        connection.connect()
        # Watch the socket as it is now: TLS wrapping replaced the one the connect step made.
        deadline.watch(connection.sock)
        connection.sock.settimeout(deadline.remaining())
        connection.request("GET", target.path, headers={**headers, "Host": target.host_header})
        response = connection.getresponse()
        response_headers = _collect_headers(response)
        body = _read_body(response, max_bytes=max_bytes, deadline=deadline)
        return response.status, response_headers, body
    except OutboundError:
        raise
    except ssl.SSLError as error:
        if deadline.expired:
            raise deadline.error() from error
        raise TLSError(
            _("The secure connection to %(host)s failed: %(reason)s.")
            % {"host": target.host, "reason": getattr(error, "reason", None) or error}
        ) from error
    except TimeoutError as error:
        raise deadline.error() from error
    except (http.client.HTTPException, OSError) as error:
        if deadline.expired:
            raise deadline.error() from error
        if isinstance(error, http.client.HTTPException):
            raise InvalidResponseError(
                _("The server at %(host)s sent an invalid HTTP response.") % {"host": target.host}
            ) from error
        raise FetchConnectionError(
            _("The connection to %(host)s broke off: %(reason)s.")
            % {"host": target.host, "reason": error.strerror or error}
        ) from error
    finally:
        deadline.watch(None)
        connection.close()


def fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
) -> FetchResult:
    """GET ``url`` and return the final response, whatever its status.

    Follows up to :data:`MAX_REDIRECTS` redirects, checking each target like the first.
    ``max_bytes`` and ``timeout`` (for the whole fetch, redirects included) default to
    ``settings.OUTBOUND_MAX_BYTES`` and ``settings.OUTBOUND_TIMEOUT_SECONDS``. The body is
    never decoded: ``Accept-Encoding: identity`` is always sent. Raises an
    :class:`OutboundError` subclass on any failure. Side effects: network I/O only.
    """
    limit = settings.OUTBOUND_MAX_BYTES if max_bytes is None else max_bytes
    seconds = settings.OUTBOUND_TIMEOUT_SECONDS if timeout is None else timeout
    allow_loopback = bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False))
    request_headers: dict[str, str] = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    request_headers.update(headers or {})
    request_headers.update({"Accept-Encoding": "identity", "Connection": "close"})

    current = url
    target = _parse(current)
    first_host = target.host
    redirects: list[str] = []
    with _Deadline(seconds) as deadline:
        while True:
            if target.host != first_host:
                request_headers = {
                    name: value
                    for name, value in request_headers.items()
                    if name.lower() not in CREDENTIAL_HEADERS
                }
            status, response_headers, body = _request_once(
                target,
                headers=request_headers,
                max_bytes=limit,
                deadline=deadline,
                allow_loopback=allow_loopback,
            )
            location = response_headers.get("location", "").strip()
            if status not in REDIRECT_STATUSES or not location:
                return FetchResult(
                    status=status,
                    headers=response_headers,
                    body=body,
                    final_url=current,
                    redirects=redirects,
                )
            if len(redirects) >= MAX_REDIRECTS:
                raise TooManyRedirectsError(
                    _("The address redirected more than %(count)d times.")
                    % {"count": MAX_REDIRECTS}
                )
            current = urljoin(current, location).split("#", 1)[0]
            redirects.append(current)
            target = _parse(current)
