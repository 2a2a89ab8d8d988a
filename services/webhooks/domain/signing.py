"""Standard Webhooks 1.0 signatures: `v1,` + base64(HMAC-SHA256(key, `id.timestamp.body`)).

A secret is `whsec_` + base64 of random bytes; the HMAC key is those bytes (the base64
decoded, without the prefix). During a rotation a delivery carries one signature per valid
secret, separated by spaces, and a receiver accepts it when any one matches.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64


def secret_from_bytes(raw: bytes) -> str:
    """A new secret from random bytes (the caller draws them: `secrets.token_bytes`)."""
    if not 24 <= len(raw) <= 64:
        raise ValueError("a webhook secret has 24 to 64 random bytes")
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret."""
    body = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(body, validate=True)
    except binascii.Error:
        raise ValueError("a webhook secret is `whsec_` + base64") from None
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,…` signature of a message."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets: Iterable[str], *, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: a signature per secret, space-separated."""
    values = [signature(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets]
    if not values:
        raise ValueError("a delivery needs at least one secret to sign with")
    return " ".join(values)
