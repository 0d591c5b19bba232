"""The visitor's address, taken from ``X-Forwarded-For`` only when a trusted proxy sent it.

Behind nginx every request comes from the proxy's address. Limits keyed on that address
would then be shared by every visitor: ten wrong passwords from anyone would lock everyone
out. ``GEMEINSAM_TRUSTED_PROXIES`` names the proxies (addresses or networks) whose
``X-Forwarded-For`` is believed.

Threat model: anyone can send an ``X-Forwarded-For`` header, so a value is believed only
hop by hop from the right: the rightmost entry was written by the proxy that connected to
us, the one before it by the proxy before that, and so on. The first address that is not a
trusted proxy is the client. Entries further left were written by the client itself and are
never used. A request that does not come from a trusted proxy is its own client, whatever
headers it carries.
"""

from __future__ import annotations

import functools
import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses of one IPv6 /64 belong to one connection as a rule (SLAAC, privacy
# extensions): limits count them together.
IPV6_LIMIT_PREFIX = 64


@functools.cache
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for item in configured:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"GEMEINSAM_TRUSTED_PROXIES: {item!r} is neither an IP address nor a network "
                "(write for example 127.0.0.1 or 10.0.0.0/8)."
            ) from error
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    """The configured proxies, parsed once per distinct setting."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


_warned_untrusted_forwarding = False


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the nearest untrusted hop in front of a
    trusted proxy. Never empty (``"unknown"`` when the server gave no address)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return "unknown"
    networks = trusted_proxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not _is_trusted(remote, networks):
        if forwarded and (remote.is_loopback or remote.is_private):
            _warn_untrusted_forwarding()
        return str(remote)
    client = remote
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            # A garbled entry: nothing to its left can be believed.
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def client_key(request: HttpRequest) -> str:
    """The client's address as limits count it: IPv6 addresses grouped by /64."""
    address = ipaddress.ip_address(ip) if (ip := client_ip(request)) != "unknown" else None
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network(f"{address}/{IPV6_LIMIT_PREFIX}", strict=False)
        return f"{network.network_address}/{IPV6_LIMIT_PREFIX}"
    return ip


def _warn_untrusted_forwarding() -> None:
    global _warned_untrusted_forwarding
    if _warned_untrusted_forwarding:
        return
    _warned_untrusted_forwarding = True
    logger.warning(
        "A proxy on a local address sends X-Forwarded-For, but GEMEINSAM_TRUSTED_PROXIES "
        "does not name it: every visitor counts as that one address, so one visitor can "
        "exhaust the login and sign-up limits for all. Set GEMEINSAM_TRUSTED_PROXIES to the "
        "proxy's address (see docs/operations.md)."
    )
