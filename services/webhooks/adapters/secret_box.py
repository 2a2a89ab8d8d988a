"""The signing secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) under keys from settings.

Encrypted rather than hashed, because a delivery is signed with the secret itself (HMAC
needs the key; a hash of it can sign nothing). A stolen database without `WEBHOOK_SECRET_KEY`
reveals no secret. Several keys: the first encrypts, all decrypt, so the key can be rotated
by putting a new one in front (rows re-encrypt as they are next written).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, MultiFernet


class SecretBox:
    """Seals and opens secrets with the service's Fernet keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("the secret box needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, secret: str) -> str:
        """The ciphertext to store."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, ciphertext: str) -> str:
        """The secret again; `cryptography.fernet.InvalidToken` under a foreign key."""
        return self._fernet.decrypt(ciphertext.encode()).decode()
