"""Where a webhook may go (no SSRF): the URL's shape, and which addresses are public.

Only `https://` unless the settings allow `http://` for local use; no user name or password
in the URL; the host must resolve only to global unicast addresses (`ipaddress.is_global`,
and not multicast), checked at registration and again before every attempt, because DNS
can change between the two. Pure: resolving is the caller's (an adapter's) business.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The URL or an address it resolves to may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL's parts: what to resolve and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # with the query, as sent

    @property
    def host_header(self) -> str:
        """The Host header: the name, with the port when it is not the scheme's default."""
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    def url_for(self, address: str) -> str:
        """The URL with `address` in place of the name (the connection goes there)."""
        host = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def parse_target(url: str, *, allow_http: bool) -> Target:
    """The URL's parts, or AddressRefused for a scheme, credentials or host we do not take."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(f"{url} is not a URL: {exc}") from None
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise AddressRefused(f"a webhook URL starts with {allowed}, not {parts.scheme}://")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("a webhook URL carries no user name or password")
    if not parts.hostname:
        raise AddressRefused(f"{url} names no host")
    if parts.fragment:
        raise AddressRefused("a webhook URL has no #fragment")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, path)


def literal_address(host: str) -> IPAddress | None:
    """The host as an IP address when it is one (`10.0.0.5`, `::1`), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def refusal(address: IPAddress) -> str | None:
    """Why `address` may not receive webhooks (loopback, private, …), or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:10.0.0.5 is 10.0.0.5
    for kind, test in (
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("an unspecified", address.is_unspecified),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
    ):
        if test:
            return f"{kind} address"
    if not address.is_global:
        return "not a global address"
    return None


def check_addresses(host: str, addresses: Iterable[str]) -> list[str]:
    """The addresses, if every one is public; AddressRefused naming the first that is not.

    All of them, not just the first: a name that answers with one public and one private
    address would otherwise reach the private one whenever the order changes.
    """
    checked: list[str] = []
    for text in addresses:
        address = ipaddress.ip_address(text)
        reason = refusal(address)
        if reason is not None:
            raise AddressRefused(f"{host} resolves to {address}, {reason}")
        checked.append(str(address))
    if not checked:
        raise AddressRefused(f"{host} does not resolve")
    return checked
