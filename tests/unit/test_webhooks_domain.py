"""The webhooks' pure rules: Standard Webhooks signatures, the address rules, the schedule."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import standardwebhooks

from services.webhooks.adapters.resolver import AddressCheck
from services.webhooks.adapters.secret_box import SecretBox
from services.webhooks.domain.addresses import AddressRefused, parse_target, refusal
from services.webhooks.domain.schedule import (
    RetrySchedule,
    Verdict,
    failing_too_long,
    parse_retry_after,
    verdict_of,
)
from services.webhooks.domain.signing import secret_from_bytes, signature, signature_header
from services.webhooks.settings import DEV_WEBHOOK_SECRET_KEY, WebhooksSettings
from shared.clock import SystemClock

# The test vector published with the Standard Webhooks specification (and its libraries'
# tests): this secret, id, timestamp and body give exactly this signature.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signer_reproduces_the_standard_webhooks_test_vector() -> None:
    assert (
        signature(VECTOR_SECRET, msg_id=VECTOR_ID, timestamp=VECTOR_TIMESTAMP, body=VECTOR_BODY)
        == VECTOR_SIGNATURE
    )
    # The reference library signs the vector the same way.
    reference = standardwebhooks.Webhook(VECTOR_SECRET).sign(
        VECTOR_ID, datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC), VECTOR_BODY.decode()
    )
    assert reference == VECTOR_SIGNATURE


def test_a_fresh_signature_with_two_secrets_verifies_with_either() -> None:
    old, new = secret_from_bytes(b"o" * 32), secret_from_bytes(b"n" * 24)
    timestamp = int(SystemClock().now().timestamp())
    body = b'{"type":"registration.accepted"}'
    header = signature_header([new, old], msg_id="evt-1", timestamp=timestamp, body=body)
    assert len(header.split(" ")) == 2
    headers = {"webhook-id": "evt-1", "webhook-timestamp": str(timestamp)}
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(body, {**headers, "webhook-signature": header})
    stranger = secret_from_bytes(b"x" * 32)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(stranger).verify(body, {**headers, "webhook-signature": header})


def test_a_secret_is_whsec_and_base64_of_24_to_64_bytes() -> None:
    secret = secret_from_bytes(bytes(range(32)))
    assert secret.startswith("whsec_")
    assert base64.b64decode(secret[6:]) == bytes(range(32))
    for size in (0, 23, 65):
        with pytest.raises(ValueError):
            secret_from_bytes(b"a" * size)


def test_the_secret_box_round_trips_and_rotates_its_keys() -> None:
    from cryptography.fernet import Fernet, InvalidToken

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretBox([old_key]).seal("whsec_abc")
    assert "whsec_abc" not in sealed
    assert SecretBox([new_key, old_key]).open(sealed) == "whsec_abc"
    with pytest.raises(InvalidToken):
        SecretBox([new_key]).open(sealed)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "not a global"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:192.168.1.1", "private"),
    ],
)
def test_addresses_that_are_not_public_are_refused(address: str, kind: str) -> None:
    import ipaddress

    reason = refusal(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    import ipaddress

    assert refusal(ipaddress.ip_address(address)) is None


def test_urls_are_https_without_credentials_unless_http_is_allowed() -> None:
    target = parse_target("https://hooks.example.fi:8443/in?x=1", allow_http=False)
    assert (target.host, target.port, target.path) == ("hooks.example.fi", 8443, "/in?x=1")
    assert target.host_header == "hooks.example.fi:8443"
    assert target.url_for("93.184.216.34") == "https://93.184.216.34:8443/in?x=1"
    assert parse_target("https://h.example.fi", allow_http=False).host_header == "h.example.fi"
    for url in ("http://h.example.fi/", "ftp://h.example.fi/", "https://u:p@h.example.fi/"):
        with pytest.raises(AddressRefused):
            parse_target(url, allow_http=False)
    assert parse_target("http://127.0.0.1:9/x", allow_http=True).port == 9


async def test_the_address_check_uses_the_injected_resolver_and_can_be_switched_off() -> None:
    calls: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["10.0.0.5"]

    with pytest.raises(AddressRefused, match="private"):
        await AddressCheck(allow_http=False, check_addresses=True, resolver=resolver).check(
            "https://intra.example.org/x"
        )
    assert calls == ["intra.example.org"]
    off = AddressCheck(allow_http=True, check_addresses=False, resolver=resolver)
    _, addresses = await off.check("http://127.0.0.1:8080/x")
    assert addresses == ["127.0.0.1"]


def test_the_schedule_has_eight_attempts_with_jitter_and_honours_retry_after() -> None:
    schedule = RetrySchedule(rand=lambda: 1.0)  # the most jitter upwards
    assert schedule.max_attempts == 8
    assert schedule.delay_after(1) == pytest.approx(5 * 1.1)
    assert schedule.delay_after(2) == pytest.approx(300 * 1.1)
    assert schedule.delay_after(7) == pytest.approx(36000 * 1.1)
    assert schedule.delay_after(8) is None
    assert RetrySchedule(rand=lambda: 0.0).delay_after(1) == pytest.approx(4.5)
    assert schedule.delay_after(1, retry_after_s=120) == 120
    assert schedule.delay_after(1, retry_after_s=10**9) == schedule.retry_after_max_s
    assert schedule.delay_after(8, retry_after_s=1) is None


def test_what_an_answer_means() -> None:
    assert verdict_of(200) is Verdict.SUCCEEDED and verdict_of(204) is Verdict.SUCCEEDED
    assert verdict_of(410) is Verdict.GONE
    for code in (None, 301, 302, 400, 429, 500, 503):
        assert verdict_of(code) is Verdict.RETRY


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)  # a pure rule: its own fixed instant
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Mon, 06 May 2030 07:09:09 GMT", now=now) == 60
    assert parse_retry_after("Mon, 06 May 2030 07:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None


def test_failing_for_days_disables() -> None:
    now = datetime(2030, 5, 6, tzinfo=UTC)
    week = timedelta(days=5)
    assert not failing_too_long(None, now=now, disable_after=week)
    assert not failing_too_long(now - timedelta(days=4), now=now, disable_after=week)
    assert failing_too_long(now - timedelta(days=5), now=now, disable_after=week)


def test_production_refuses_the_development_key_and_the_loopback_switches() -> None:
    base: dict[str, Any] = {
        "environment": "production",
        "database_url": "sqlite+aiosqlite:///:memory:",
        "amqp_url": "amqp://kanta:pw@rabbit:5672/",
        "auth_secret": "a-real-secret-for-the-test",
    }
    with pytest.raises(ValueError, match="WEBHOOK_SECRET_KEY"):
        WebhooksSettings(**base, webhook_secret_key=DEV_WEBHOOK_SECRET_KEY)
    from cryptography.fernet import Fernet

    real = Fernet.generate_key().decode()
    with pytest.raises(ValueError, match="local use only"):
        WebhooksSettings(**base, webhook_secret_key=real, webhook_allow_http=True)
    assert WebhooksSettings(**base, webhook_secret_key=real).fernet_keys == [real]
    with pytest.raises(ValueError, match="Fernet"):
        WebhooksSettings(database_url="sqlite+aiosqlite:///:memory:", webhook_secret_key="nope")
    with pytest.raises(ValueError, match="CLAIM_TTL"):
        WebhooksSettings(
            database_url="sqlite+aiosqlite:///:memory:",
            webhook_timeout_s=30,
            webhook_claim_ttl_s=20,
        )
