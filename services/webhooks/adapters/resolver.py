"""Resolving a webhook host, and the SSRF check built on it (`domain.addresses`).

`AddressCheck.check(url)` parses the URL, resolves its host (or takes an IP literal) and,
unless the check is switched off (a test's loopback receiver), refuses any address that is
not public. The sender then connects to one of exactly those addresses (`adapters.http`),
so a DNS answer that changes between the check and the connection cannot redirect it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

from services.webhooks.domain.addresses import (
    AddressRefused,
    Target,
    check_addresses,
    literal_address,
    parse_target,
)

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""host, port → the IP addresses it resolves to (a test injects its own)."""


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of `host` from the system's resolver (asynchronously, no blocking)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"{host} does not resolve: {exc.strerror}") from None
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


class AddressCheck:
    """The URL rules of the settings, with the resolver to use."""

    def __init__(
        self, *, allow_http: bool, check_addresses: bool, resolver: Resolver | None = None
    ) -> None:
        self._allow_http = allow_http
        self._check = check_addresses
        self._resolve = resolver or system_resolver

    async def check(self, url: str) -> tuple[Target, list[str]]:
        """The target and its addresses; AddressRefused when the URL may not be called."""
        target = parse_target(url, allow_http=self._allow_http)
        literal = literal_address(target.host)
        addresses = (
            [str(literal)] if literal is not None else await self._resolve(target.host, target.port)
        )
        if not self._check:
            if not addresses:
                raise AddressRefused(f"{target.host} does not resolve")
            return target, addresses
        return target, check_addresses(target.host, addresses)
