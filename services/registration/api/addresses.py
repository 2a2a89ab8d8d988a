"""Who is asking: the client's address, through the proxies the settings trust.

`X-Forwarded-For` is believed only from a peer in `FORWARDED_ALLOW_IPS` (addresses or
networks, comma-separated, `*` for any; none by default), and only as far back as the chain
stays in trusted hands: the first hop from the right that is not a trusted proxy is the
client. Serve with `uvicorn --no-proxy-headers` so that the peer reaches the app as it is
(uvicorn's own default trusts loopback).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(setting: str) -> Sequence[Network] | None:
    """The networks of `FORWARDED_ALLOW_IPS`; None for `*` (every peer is trusted)."""
    items = [item.strip() for item in setting.split(",") if item.strip()]
    if "*" in items:
        return None
    return [ipaddress.ip_network(item, strict=False) for item in items]


def _trusted(address: str, networks: Sequence[Network] | None) -> bool:
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _host(hop: str) -> str:
    """An X-Forwarded-For entry without its port (`1.2.3.4:5`, `[::1]:5`)."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1 : hop.find("]")] if "]" in hop else hop
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


def client_address(
    peer: str | None, forwarded_for: Sequence[str], networks: Sequence[Network] | None
) -> str:
    """The client's address: the peer, or the first untrusted hop of the forwarded chain."""
    address = peer or "unknown"
    if not _trusted(address, networks):
        return address
    hops = [_host(hop) for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = hop[:64]
        if not _trusted(hop, networks):
            return address
    return address
