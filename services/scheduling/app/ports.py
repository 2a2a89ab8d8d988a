"""What the use cases need of the unit of work and its repositories, as protocols.

`adapters.uow.SchedulingUnitOfWork` satisfies them; `main` hands it over where mypy checks.
Changes to rows read in a transaction are saved at commit; only new rows are added.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from services.scheduling.app.records import (
    EnrolmentRecord,
    FeedRecord,
    PeriodRecord,
    RegistrationRecord,
    ReminderRecord,
    SessionRecord,
)
from services.scheduling.domain.calendar import NewSession, PeriodDates
from services.scheduling.domain.calendar_entries import CalendarEntry
from services.scheduling.domain.enrolment import Person
from shared.clock import Clock
from shared.events import Envelope, EventPayload


class PeriodStore(Protocol):
    def create(self, *, dates: PeriodDates, now: datetime) -> PeriodRecord: ...
    async def list_all(self, *, year: int | None = None) -> Sequence[PeriodRecord]: ...
    async def get(self, *, period_id: uuid.UUID, lock: bool = False) -> PeriodRecord | None: ...
    async def find(self, *, year: int, number: int, lock: bool = False) -> PeriodRecord | None: ...


class SessionStore(Protocol):
    def create(self, *, new: NewSession, now: datetime) -> SessionRecord: ...
    async def list_all(
        self, *, period_ids: Sequence[uuid.UUID], statuses: Iterable[str] = ()
    ) -> Sequence[SessionRecord]: ...
    async def get(self, *, session_id: uuid.UUID, lock: bool = False) -> SessionRecord | None: ...


class EnrolmentStore(Protocol):
    def create(
        self,
        *,
        session_id: uuid.UUID,
        person: Person,
        status: str,
        queue_no: int,
        now: datetime,
        origin: str = "rules",
        calendar_uid: str | None = None,
        calendar_sequence: int = 0,
    ) -> EnrolmentRecord: ...
    async def count_seats(
        self, *, session_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, int]]: ...
    async def list_all(
        self,
        *,
        session_id: uuid.UUID | None = None,
        registration_id: uuid.UUID | None = None,
        business_id: str | None = None,
        email: str | None = None,
        statuses: Iterable[str] = (),
        session_ids: Sequence[uuid.UUID] | None = None,
        cancel_reasons: Iterable[str] = (),
    ) -> Sequence[EnrolmentRecord]: ...
    async def get(self, *, enrolment_id: uuid.UUID) -> EnrolmentRecord | None: ...
    async def find_live(self, *, session_id: uuid.UUID, email: str) -> EnrolmentRecord | None: ...
    async def latest(self, *, session_id: uuid.UUID, email: str) -> EnrolmentRecord | None: ...
    async def was_removed(self, *, session_id: uuid.UUID, email: str) -> bool: ...
    async def removed(self, *, session_ids: Sequence[uuid.UUID]) -> set[tuple[uuid.UUID, str]]: ...


class ReminderStore(Protocol):
    def create(
        self, *, enrolment_id: uuid.UUID, offset_s: int, due_at: datetime
    ) -> ReminderRecord: ...
    async def list_all(self, *, enrolment_id: uuid.UUID) -> Sequence[ReminderRecord]: ...
    async def delete(
        self, *, enrolment_ids: Sequence[uuid.UUID], unsent_only: bool = False
    ) -> None: ...
    async def lock_due(self, *, now: datetime, limit: int) -> Sequence[ReminderRecord]: ...


class RegistrationStore(Protocol):
    def create(
        self,
        *,
        registration_id: uuid.UUID,
        organisation_name: str,
        business_id: str,
        submitted_at: datetime,
        received_at: datetime,
    ) -> RegistrationRecord: ...
    async def get(
        self, *, registration_id: uuid.UUID, lock: bool = False
    ) -> RegistrationRecord | None: ...
    async def list_accepted(self, *, year: int, number: int) -> Sequence[RegistrationRecord]: ...
    async def list_by_ids(
        self, *, registration_ids: Iterable[uuid.UUID]
    ) -> Sequence[RegistrationRecord]: ...


class FeedStore(Protocol):
    async def get(self, *, registration_id: uuid.UUID, email: str) -> FeedRecord | None: ...
    async def add_once(
        self, *, registration_id: uuid.UUID, email: str, salt: str, token_hash: str, now: datetime
    ) -> FeedRecord: ...
    async def find(self, *, token_hash: str) -> FeedRecord | None: ...
    async def revoke(
        self, *, registration_id: uuid.UUID, now: datetime, keep: Iterable[str] | None = None
    ) -> int: ...


class SchedulingUoW(Protocol):
    """`async with uow:` one transaction over the calendar, the seats and their events."""

    clock: Clock

    @property
    def periods(self) -> PeriodStore: ...
    @property
    def sessions(self) -> SessionStore: ...
    @property
    def enrolments(self) -> EnrolmentStore: ...
    @property
    def reminders(self) -> ReminderStore: ...
    @property
    def registrations(self) -> RegistrationStore: ...
    @property
    def feeds(self) -> FeedStore: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def emit(self, payload: EventPayload) -> Envelope: ...
    async def commit(self) -> None: ...
    async def flush(self) -> None: ...


class CalendarWriter(Protocol):
    """Writes calendar entries as an RFC 5545 file (`adapters.ics.calendar`)."""

    def __call__(self, entries: Sequence[CalendarEntry], *, name: str, organizer: str) -> bytes: ...


UnitOfWorkFactory = Callable[[], SchedulingUoW]
