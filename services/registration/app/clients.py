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

from services.registration.app.ports import RegistrationUoW, SecretGuard
from services.registration.app.records import ClientRecord
from services.registration.domain.identifiers import normalise_business_id
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import TooManyRequests


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


class ClientExists(ValueError):
    """`create` names a client id that is taken (rotate its secret instead)."""


class NoSuchClient(LookupError):
    """No client has this id."""


@dataclass(frozen=True)
class ClientInfo:
    """What `clients list` and `clients show` print of a client (never its secret)."""

    client_id: str
    role: str
    business_id: str | None
    name: str | None
    created_at: str
    disabled_at: str | None

    @classmethod
    def of(cls, client: ClientRecord) -> ClientInfo:
        return cls(
            client_id=client.client_id,
            role=client.role,
            business_id=client.business_id,
            name=client.name,
            created_at=client.created_at.isoformat(),
            disabled_at=client.disabled_at.isoformat() if client.disabled_at else None,
        )


async def create_client(
    uow: RegistrationUoW,
    *,
    role: Role,
    clock: Clock,
    business_id: str | None = None,
    name: str | None = None,
    client_id: str | None = None,
) -> Credentials:
    """Store a new client and commit; an id that exists is refused (ClientExists), whether
    the client is enabled or disabled: nothing about an existing client changes here."""
    if role == "organisation":
        if business_id is None:
            raise ValueError("an organisation client needs its business ID (Y-tunnus)")
        business_id = normalise_business_id(business_id)
    elif business_id is not None:
        raise ValueError("a staff client is not bound to a business ID")
    client_id = client_id or new_client_id(role)
    secret = secrets.token_urlsafe(32)
    async with uow:
        if await uow.clients.get(client_id=client_id) is not None:
            raise ClientExists(
                f"client {client_id!r} exists; use `clients rotate-secret {client_id}` for a "
                "new secret (its role and organisation never change)"
            )
        uow.clients.new(
            client_id=client_id,
            secret_sha256=digest(secret),
            role=role,
            business_id=business_id,
            name=name,
            created_at=clock.now(),
        )
        await uow.commit()
    return Credentials(client_id=client_id, client_secret=secret)


async def rotate_secret(uow: RegistrationUoW, *, client_id: str) -> Credentials:
    """Give a client a new secret; its role, organisation, name and state stay as they are."""
    secret = secrets.token_urlsafe(32)
    async with uow:
        client = await uow.clients.get(client_id=client_id)
        if client is None:
            raise NoSuchClient(client_id)
        client.secret_sha256 = digest(secret)
        await uow.commit()
    return Credentials(client_id=client_id, client_secret=secret)


async def set_enabled(
    uow: RegistrationUoW, *, client_id: str, enabled: bool, clock: Clock
) -> ClientInfo:
    """Disable a client (refuse it tokens from now on) or enable it again, explicitly."""
    async with uow:
        client = await uow.clients.get(client_id=client_id)
        if client is None:
            raise NoSuchClient(client_id)
        if enabled:
            client.disabled_at = None
        elif client.disabled_at is None:
            client.disabled_at = clock.now()
        info = ClientInfo.of(client)
        await uow.commit()
    return info


async def disable_client(uow: RegistrationUoW, *, client_id: str, clock: Clock) -> bool:
    """Refuse tokens to a client from now on; False when there is no such client."""
    try:
        await set_enabled(uow, client_id=client_id, enabled=False, clock=clock)
    except NoSuchClient:
        return False
    return True


async def show_client(uow: RegistrationUoW, *, client_id: str) -> ClientInfo:
    """One client, without its secret."""
    async with uow:
        client = await uow.clients.get(client_id=client_id)
        if client is None:
            raise NoSuchClient(client_id)
        return ClientInfo.of(client)


async def list_clients(uow: RegistrationUoW) -> list[ClientInfo]:
    """Every client in id order, without secrets."""
    async with uow:
        return [ClientInfo.of(c) for c in await uow.clients.list_all()]


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


async def check_secret(
    uow: RegistrationUoW, *, client_id: str, secret: str, address: str, guard: SecretGuard
) -> Principal | None:
    """`authenticate`, behind the failed-secret counts of `guard` (issue 15.8).

    Only a place that sent too many wrong secrets waits (429, before any comparison); the
    right secret from anywhere else still gets its token, however many wrong ones arrive.
    """
    wait = guard.retry_after(client_id=client_id, address=address)
    if wait is not None:
        raise TooManyRequests(
            f"Too many wrong secrets from this address. Retry in {wait} s.", retry_after_s=wait
        )
    identity = await authenticate(uow, client_id=client_id, secret=secret)
    if identity is None:
        guard.failed(client_id=client_id, address=address)
    return identity
