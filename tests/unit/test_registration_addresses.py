"""Issue 15.8: the client's address through the trusted proxies only (pure)."""

from __future__ import annotations

import pytest

from services.registration.api.addresses import client_address, trusted_networks


def test_no_proxy_is_trusted_by_default_not_even_loopback() -> None:
    assert client_address("127.0.0.1", ["203.0.113.9"], trusted_networks("")) == "127.0.0.1"


def test_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    networks = trusted_networks("10.0.0.0/8, 127.0.0.1")
    chain = ["198.51.100.1, 203.0.113.9", "10.1.2.3"]
    assert client_address("127.0.0.1", chain, networks) == "203.0.113.9"
    assert client_address("192.0.2.5", chain, networks) == "192.0.2.5"  # peer not a proxy
    assert client_address("10.0.0.1", [], networks) == "10.0.0.1"


def test_ports_and_ipv6_are_read() -> None:
    networks = trusted_networks("::1")
    assert client_address("::1", ["[2001:db8::5]:4711"], networks) == "2001:db8::5"
    assert client_address("::1", ["203.0.113.9:80"], networks) == "203.0.113.9"


def test_a_star_trusts_every_hop_up_to_the_leftmost() -> None:
    assert trusted_networks("*") is None
    assert client_address("10.0.0.1", ["1.2.3.4, 5.6.7.8"], None) == "1.2.3.4"


def test_a_name_is_not_a_network() -> None:
    with pytest.raises(ValueError):
        trusted_networks("proxy.example")
