"""Participants' calendar feed tokens: HMACs only this service can make, stored as hashes."""

from __future__ import annotations

import hashlib
import hmac


def feed_token(secret: bytes, *, registration_id: str, email: str, salt: str) -> str:
    """The participant's unguessable feed token: one contact of one registration (#15)."""
    message = f"{salt}:{registration_id}:{email}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def hash_token(token: str) -> str:
    """What is stored of a feed token (a leaked table does not reveal the feeds)."""
    return hashlib.sha256(token.encode()).hexdigest()
