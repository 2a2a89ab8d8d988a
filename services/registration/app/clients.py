"""API clients of the OAuth2 client-credentials grant (RFC 6749 §4.4): onboard, authenticate.

A client is an organisation (bound to one business ID) or Kela staff. Its secret is shown
once, when it is created, and stored only as a SHA-256 digest: secrets are 256-bit random
values, so a fast hash cannot be brute-forced and keeps the token endpoint cheap (a slow
password hash protects low-entropy passwords, which these are not).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from services.registration.app.ports import RegistrationUoW
from services.registration.domain.identifiers import normalise_business_id
from shared.auth import Principal, Role
from shared.clock import Clock


@dataclass(frozen=True)
class Credentials:
    """What the onboarding command prints, once."""

    client_id: str
    client_secret: str


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_client_id(role: Role) -> str:
    """A fresh client id that says its role."""
    return f"{'org' if role == 'organisation' else 'staff'}-{secrets.token_hex(8)}"


async def create_client(
    uow: RegistrationUoW,
    *,
    role: Role,
    clock: Clock,
    business_id: str | None = None,
    name: str | None = None,
    client_id: str | None = None,
) -> Credentials:
    """Store a new client (or give an existing `client_id` a new secret), and commit."""
    if role == "organisation":
        if business_id is None:
            raise ValueError("an organisation client needs its business ID (Y-tunnus)")
        business_id = normalise_business_id(business_id)
    elif business_id is not None:
        raise ValueError("a staff client is not bound to a business ID")
    client_id = client_id or new_client_id(role)
    secret = secrets.token_urlsafe(32)
    async with uow:
        existing = await uow.clients.get(client_id=client_id)
        if existing is None:
            uow.clients.new(
                client_id=client_id,
                secret_sha256=digest(secret),
                role=role,
                business_id=business_id,
                name=name,
                created_at=clock.now(),
            )
        else:
            existing.secret_sha256 = digest(secret)
            existing.role = role
            existing.business_id = business_id
            existing.name = name
            existing.disabled_at = None
        await uow.commit()
    return Credentials(client_id=client_id, client_secret=secret)


async def disable_client(uow: RegistrationUoW, *, client_id: str, clock: Clock) -> bool:
    """Refuse tokens to a client from now on; False when there is no such client."""
    async with uow:
        client = await uow.clients.get(client_id=client_id)
        if client is None:
            return False
        client.disabled_at = clock.now()
        await uow.commit()
    return True


async def authenticate(uow: RegistrationUoW, *, client_id: str, secret: str) -> Principal | None:
    """Who the client is if the secret matches and the client is enabled, else None."""
    async with uow:
        client = await uow.clients.get(client_id=client_id)
    # Compare against a dummy digest when the client is unknown, so timing says nothing.
    expected = client.secret_sha256 if client is not None else digest(secrets.token_hex(8))
    if not hmac.compare_digest(expected, digest(secret)):
        return None
    if client is None or client.disabled_at is not None:
        return None
    role: Role = "staff" if client.role == "staff" else "organisation"
    return Principal(
        client_id=client.client_id, role=role, business_id=client.business_id, name=client.name
    )
