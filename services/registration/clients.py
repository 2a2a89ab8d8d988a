"""API clients of the OAuth2 client-credentials grant (RFC 6749 §4.4).

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
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.domain import normalise_business_id
from services.registration.models import RegistrationBase
from shared.auth import Principal, Role
from shared.types import UTCDateTime, utcnow


class ApiClient(RegistrationBase, table=True):
    __tablename__ = "api_clients"

    client_id: str = Field(primary_key=True, max_length=64)
    secret_sha256: str = Field(max_length=64)
    role: str = Field(max_length=16)
    business_id: str | None = Field(default=None, max_length=9, index=True)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


@dataclass(frozen=True)
class Credentials:
    """What the onboarding command prints, once."""

    client_id: str
    client_secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_client_id(role: Role) -> str:
    return f"{'org' if role == 'organisation' else 'staff'}-{secrets.token_hex(8)}"


async def create_client(
    session: AsyncSession,
    *,
    role: Role,
    business_id: str | None = None,
    name: str | None = None,
    client_id: str | None = None,
) -> Credentials:
    """Store a new client (or give an existing `client_id` a new secret)."""
    if role == "organisation":
        if business_id is None:
            raise ValueError("an organisation client needs its business ID (Y-tunnus)")
        business_id = normalise_business_id(business_id)
    elif business_id is not None:
        raise ValueError("a staff client is not bound to a business ID")
    client_id = client_id or new_client_id(role)
    secret = secrets.token_urlsafe(32)
    existing = await session.get(ApiClient, client_id)
    if existing is None:
        session.add(
            ApiClient(
                client_id=client_id,
                secret_sha256=digest(secret),
                role=role,
                business_id=business_id,
                name=name,
                created_at=utcnow(),
            )
        )
    else:
        existing.secret_sha256 = digest(secret)
        existing.role = role
        existing.business_id = business_id
        existing.name = name
        existing.disabled_at = None
        session.add(existing)
    return Credentials(client_id=client_id, client_secret=secret)


async def authenticate(session: AsyncSession, client_id: str, secret: str) -> Principal | None:
    """The client's principal if the secret matches and the client is enabled, else None."""
    client = (await session.exec(select(ApiClient).where(ApiClient.client_id == client_id))).first()
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
