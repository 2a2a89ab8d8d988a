"""The stored rows as the use cases read and change them, as protocols.

The routes reach nearly every use case, and the routes may not depend on the adapters, not
even through the use cases; so the use cases name rows by these protocols, which the tables
of `adapters.tables` satisfy (mypy checks it where `main` hands the unit of work over).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Protocol


class PeriodRecord(Protocol):
    """A deployment period (R1)."""

    id: uuid.UUID
    year: int
    number: int
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date
    status: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class SessionRecord(Protocol):
    """A preparation event or a training (R2)."""

    id: uuid.UUID
    period_id: uuid.UUID
    uid: str
    sequence: int
    kind: str
    title_fi: str
    title_sv: str
    title_en: str | None
    starts_at: datetime
    ends_at: datetime
    online_url: str | None
    place: str | None
    language: str
    capacity: int
    audience: dict[str, Any]
    status: str
    enrolment_counter: int
    note: str | None
    created_at: datetime
    updated_at: datetime


class EnrolmentRecord(Protocol):
    """One participant's seat (or place in line) in one session."""

    id: uuid.UUID
    session_id: uuid.UUID
    registration_id: uuid.UUID
    business_id: str
    name: str
    email: str
    language: str
    role: str | None
    status: str
    queue_no: int
    created_at: datetime
    updated_at: datetime
    cancel_reason: str | None
    calendar_uid: str | None
    calendar_sequence: int
    origin: str


class ReminderRecord(Protocol):
    """One reminder of one enrolment."""

    id: uuid.UUID
    enrolment_id: uuid.UUID
    offset_s: int
    due_at: datetime
    sent_at: datetime | None


class RegistrationRecord(Protocol):
    """Scheduling's read model of a registration."""

    registration_id: uuid.UUID
    organisation_name: str
    business_id: str
    participants: list[dict[str, Any]]
    submitted_at: datetime
    received_at: datetime
    state: str
    period_year: int | None
    period_number: int | None
    service: str | None
    domain: str | None
    revision: int
    last_event_at: datetime | None


class FeedRecord(Protocol):
    """A participant's calendar feed: one contact of one registration."""

    id: uuid.UUID
    registration_id: uuid.UUID
    email: str
    salt: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None
