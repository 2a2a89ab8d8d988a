"""What the use cases need of the unit of work and of the outside world, as protocols.

The routes' use cases (`subscriptions`, `deliveries`) name the unit of work, the secret box
and the address check by these protocols, which `adapters.uow.WebhooksUnitOfWork`,
`adapters.secret_box.SecretBox` and `adapters.resolver.AddressCheck` satisfy (checked in
`main`), so that the routes never depend on the adapters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from services.webhooks.domain.addresses import Target


class SubscriptionRecord(Protocol):
    """A stored subscription; use cases change it by assigning, the commit writes it."""

    id: uuid.UUID
    business_id: str
    url: str
    event_types: str
    description: str | None
    status: str
    status_reason: str | None
    secret_ciphertext: str
    previous_secret_ciphertext: str | None
    previous_secret_until: datetime | None
    failing_since: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class DeliveryRecord(Protocol):
    """A stored delivery as the use cases read it."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def subscription_id(self) -> uuid.UUID: ...
    @property
    def event_id(self) -> uuid.UUID: ...
    @property
    def event_type(self) -> str: ...
    @property
    def round(self) -> int: ...
    @property
    def body(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def last_status_code(self) -> int | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def next_attempt_at(self) -> datetime | None: ...
    @property
    def correlation_id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def finished_at(self) -> datetime | None: ...


class AttemptRecord(Protocol):
    """One logged HTTP attempt."""

    @property
    def number(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def request_headers(self) -> str: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def response_excerpt(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...


class SubscriptionStore(Protocol):
    """The subscriptions of one transaction."""

    async def add(
        self,
        *,
        business_id: str,
        url: str,
        event_types: str,
        description: str | None,
        secret_ciphertext: str,
        created_by: str,
        now: datetime,
    ) -> SubscriptionRecord: ...
    async def get(self, *, subscription_id: uuid.UUID) -> SubscriptionRecord | None: ...
    async def count(self, *, business_id: str) -> int: ...
    async def find(
        self,
        *,
        limit: int,
        business_id: str | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> Sequence[SubscriptionRecord]: ...
    async def delete(self, *, subscription_id: uuid.UUID) -> None: ...


class DeliveryStore(Protocol):
    """The deliveries and their attempts, of one transaction."""

    async def add(
        self,
        *,
        subscription_id: uuid.UUID,
        event_id: uuid.UUID,
        event_type: str,
        body: str,
        correlation_id: str,
        now: datetime,
        round: int = 0,
    ) -> uuid.UUID | None: ...
    async def get(self, *, delivery_id: uuid.UUID) -> DeliveryRecord | None: ...
    async def last_round(self, *, subscription_id: uuid.UUID, event_id: uuid.UUID) -> int: ...
    async def find(
        self,
        *,
        subscription_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> Sequence[DeliveryRecord]: ...
    async def attempts_of(self, *, delivery_id: uuid.UUID) -> Sequence[AttemptRecord]: ...
    async def cancel_pending(
        self, *, subscription_id: uuid.UUID, reason: str, now: datetime
    ) -> int: ...


class WebhooksUnitOfWorkPort(Protocol):
    """`async with uow:` one transaction over subscriptions and deliveries."""

    @property
    def subscriptions(self) -> SubscriptionStore: ...
    @property
    def deliveries(self) -> DeliveryStore: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    def after_commit(self, callback: Callable[[], None]) -> None: ...


class SecretBoxPort(Protocol):
    """Encrypts signing secrets at rest and decrypts them to sign."""

    def seal(self, secret: str) -> str: ...
    def open(self, ciphertext: str) -> str: ...


class AddressCheckPort(Protocol):
    """Checks a webhook URL: its shape and, unless switched off, that it resolves to public
    addresses only. Returns the target and the addresses to connect to; raises
    `domain.addresses.AddressRefused`."""

    async def check(self, url: str) -> tuple[Target, list[str]]: ...
