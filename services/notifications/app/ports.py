"""What the API's use cases need of the unit of work, as protocols.

The routes reach `queries` and `staff`, and the routes may not depend on the adapters, not
even through the use cases; so these use cases name the unit of work by the protocols below,
which `adapters.uow.NotificationsUnitOfWork` satisfies (checked in `main`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from services.notifications.domain.mail import MailStatus, NewMail, Rendition
from services.notifications.domain.sessions import EntryState
from shared.contracts.scheduling import SessionInfo


class MailRecord(Protocol):
    """A stored mail as the use cases read it."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def recipient(self) -> str: ...
    @property
    def template(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body_text(self) -> str: ...
    @property
    def body_html(self) -> str: ...
    @property
    def calendar(self) -> str | None: ...
    @property
    def calendar_method(self) -> str | None: ...
    @property
    def registration_id(self) -> uuid.UUID | None: ...
    @property
    def business_id(self) -> str | None: ...
    @property
    def correlation_id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def render_context(self) -> str | None: ...
    @property
    def session_id(self) -> uuid.UUID | None: ...
    @property
    def enrolment_id(self) -> uuid.UUID | None: ...


class SuppressionRecord(Protocol):
    """A suppressed address and why."""

    @property
    def email(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class MailStore(Protocol):
    """The mails of one transaction."""

    async def add(self, *, mail: NewMail) -> MailRecord | None: ...
    async def get(self, *, mail_id: uuid.UUID) -> MailRecord | None: ...
    async def find(
        self,
        *,
        limit: int,
        registration_id: uuid.UUID | None = None,
        recipient: str | None = None,
        status: MailStatus | None = None,
        template: str | None = None,
        business_id: str | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> Sequence[MailRecord]: ...


class SuppressionStore(Protocol):
    """The suppression list of one transaction."""

    async def find_among(self, *, emails: Collection[str]) -> set[str]: ...
    async def get(self, *, email: str) -> SuppressionRecord | None: ...
    async def remove(self, *, email: str) -> bool: ...


class ReadModelStore(Protocol):
    """What a resend reads of the other services' state: a session, a person's entry."""

    async def find_session(self, *, session_id: uuid.UUID) -> SessionInfo | None: ...
    async def find_entry(self, *, enrolment_id: uuid.UUID) -> EntryState | None: ...


class Rerender(Protocol):
    """Render a stored mail again from the current state (None: it cannot be, copy it)."""

    def __call__(
        self,
        mail: MailRecord,
        *,
        session: SessionInfo | None,
        entry: EntryState | None,
        organizer: str,
        organizer_name: str,
        contact: str | None,
        now: datetime,
    ) -> Rendition | None: ...


class DeliveryUnitOfWork(Protocol):
    """`async with uow:` one transaction over the mails, the suppression list, read models."""

    @property
    def mails(self) -> MailStore: ...
    @property
    def suppressions(self) -> SuppressionStore: ...
    @property
    def read_models(self) -> ReadModelStore: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    def after_commit(self, callback: Callable[[], None]) -> None: ...
