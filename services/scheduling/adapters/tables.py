"""Tables of the scheduling service (on its own metadata). API models live in `app/schemas.py`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.messaging.tables import messaging_tables
from shared.types import UTCDateTime


class SchedulingBase(SQLModel, registry=registry()):
    """Base of this service's tables: its own metadata, so its migrations see only these."""


metadata = SchedulingBase.metadata
messaging = messaging_tables(metadata)


class KnownRegistration(SchedulingBase, table=True):
    """Scheduling's read model of a registration, built from registration events.

    `state`, `period_*`, `service` and `domain` come with the full snapshot events; a
    registration accepted before its period's sessions exist waits here until they do.
    `revision` (and `last_event_at`, for events without one) is the newest snapshot applied:
    an older one arriving late is ignored.
    """

    __tablename__ = "known_registrations"

    registration_id: uuid.UUID = Field(primary_key=True)
    organisation_name: str = Field(max_length=200)
    business_id: str = Field(max_length=9, index=True)
    participants: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    state: str = Field(
        default="submitted",
        sa_column=Column(String(20), nullable=False, server_default="submitted"),
    )
    period_year: int | None = Field(default=None)
    period_number: int | None = Field(default=None)
    service: str | None = Field(default=None, max_length=100)
    domain: str | None = Field(default=None, max_length=20)
    revision: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    last_event_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Period(SchedulingBase, table=True):
    """A deployment period (R1); a draft until staff publish it."""

    __tablename__ = "periods"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_periods_year_number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    year: int
    number: int
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date
    status: str = Field(default="draft", max_length=20)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Session(SchedulingBase, table=True):
    """A preparation event or a training (R2). `uid` is stable; `sequence` rises per change."""

    __tablename__ = "sessions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    period_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("periods.id"), nullable=False, index=True)
    )
    uid: str = Field(max_length=200, unique=True)
    sequence: int = Field(default=0)
    kind: str = Field(max_length=20)
    title_fi: str = Field(max_length=300)
    title_sv: str = Field(max_length=300)
    title_en: str | None = Field(default=None, max_length=300)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    online_url: str | None = Field(default=None, max_length=2000)
    place: str | None = Field(default=None, max_length=500)
    language: str = Field(max_length=2)
    capacity: int
    audience: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="draft", max_length=20)
    # Grows with every enrolment, under the session's lock: the waiting list's order.
    enrolment_counter: int = Field(default=0)
    note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Enrolment(SchedulingBase, table=True):
    """One participant's seat (or place in line) in one session."""

    __tablename__ = "enrolments"
    __table_args__ = (
        # A person holds at most one live enrolment per session.
        Index(
            "ux_enrolments_live",
            "session_id",
            "email",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
            sqlite_where=text("status <> 'cancelled'"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("sessions.id"), nullable=False, index=True)
    )
    registration_id: uuid.UUID = Field(index=True)
    business_id: str = Field(max_length=9, index=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320, index=True)
    language: str = Field(max_length=2)
    role: str | None = Field(default=None, max_length=40)
    status: str = Field(max_length=20)
    queue_no: int
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cancel_reason: str | None = Field(default=None, max_length=200)
    # The person's own calendar entry: UID stable (a re-seat in the same session keeps it),
    # SEQUENCE rising with every change the entry shows.
    calendar_uid: str | None = Field(default=None, max_length=200)
    calendar_sequence: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    # "rules" (R2 seated it), "moved" (staff moved a seated person), "added" (staff added).
    origin: str = Field(
        default="rules", sa_column=Column(String(10), nullable=False, server_default="rules")
    )


class Reminder(SchedulingBase, table=True):
    """One reminder of one enrolment: unique per enrolment and offset, sent once."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "offset_s", name="uq_reminders_enrolment_offset"),
        Index(
            "ix_reminders_due",
            "due_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    enrolment_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("enrolments.id"), nullable=False)
    )
    offset_s: int = Field(sa_column=Column(Integer, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Feed(SchedulingBase, table=True):
    """A participant's calendar feed: one contact of one registration (not an email alone).

    Only the hash of its token is stored; `revoked_at` is set when the contact leaves the
    registration or staff rotate the token (a new row takes its place).
    """

    __tablename__ = "participant_feeds"
    __table_args__ = (
        Index(
            "ux_participant_feeds_live",
            "registration_id",
            "email",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(index=True)
    email: str = Field(max_length=320)
    salt: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
