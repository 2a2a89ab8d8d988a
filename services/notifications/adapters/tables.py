"""Tables of the notifications service (SQLModel, on the service's own metadata)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.messaging.tables import messaging_tables
from shared.types import UTCDateTime


class NotificationsBase(SQLModel, registry=registry()):
    """Base of this service's tables: its own metadata, so its migrations see only these."""


metadata = NotificationsBase.metadata
messaging = messaging_tables(metadata)


class Mail(NotificationsBase, table=True):
    """The mail outbox: one row per (event, recipient, template), rendered when queued."""

    __tablename__ = "mails"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "template", name="uq_mails_event_recipient"),
        Index("ix_mails_due", "status", "next_attempt_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    event_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    recipient: str = Field(max_length=320)
    template: str = Field(max_length=100)
    language: str = Field(max_length=8)
    message_id: str = Field(max_length=255, unique=True)
    subject: str = Field(max_length=998)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(sa_column=Column(Text, nullable=False))
    registration_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, nullable=True, index=True)
    )
    # The organisation the mail concerns, so it may read its own deliveries (None: staff only).
    business_id: str | None = Field(
        default=None, sa_column=Column(String(20), nullable=True, index=True)
    )
    # A calendar object (iMIP) sent as a text/calendar attachment, and its METHOD.
    calendar: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    calendar_method: str | None = Field(default=None, max_length=16)
    # A staff resend: the mail this one is a fresh copy of.
    resend_of: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    # What the mail was rendered from (its context model as JSON) and the session and
    # enrolment it is about, so a staff resend renders it again from the current state.
    render_context: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    session_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    enrolment_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    correlation_id: str = Field(max_length=200)
    status: str = Field(max_length=16)
    attempts: int = Field(default=0)
    last_reply: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # When a `queued` or `retrying` mail is due (None once final).
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The lease of a `sending` mail: past it, the sender is presumed dead and another may claim.
    claimed_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # Which claim holds the lease, so a sender that lost it cannot overwrite the new outcome.
    claim_token: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class Suppression(NotificationsBase, table=True):
    """An address never to write to again (a hard bounce), with why."""

    __tablename__ = "suppressions"

    email: str = Field(max_length=320, primary_key=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class KnownRegistration(NotificationsBase, table=True):
    """Read model from `registration.*` events: whose a registration is (for enrolment mails)."""

    __tablename__ = "known_registrations"

    registration_id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    business_id: str = Field(max_length=20)
    organisation_name: str = Field(max_length=300)
    # The highest snapshot revision seen: an older snapshot that arrives late mails nobody.
    revision: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class KnownPeriod(NotificationsBase, table=True):
    """Read model from `period.*` events: a period's dates, for the acceptance mail."""

    __tablename__ = "known_periods"
    __table_args__ = (Index("ix_known_periods_year_number", "year", "number"),)

    period_id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    year: int
    number: int
    starts_on: date
    ends_on: date
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class KnownSession(NotificationsBase, table=True):
    """Read model from `session.*` events: the latest snapshot (highest SEQUENCE) of a session."""

    __tablename__ = "known_sessions"
    __table_args__ = (Index("ix_known_sessions_period", "year", "number"),)

    session_id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    year: int
    number: int
    sequence: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(max_length=16)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The whole `SessionInfo` as JSON: rendering needs all of it, queries only the columns above.
    info: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class KnownEntry(NotificationsBase, table=True):
    """Read model from `enrolment.*` and `session.*` events: a person's own calendar entry.

    The latest state of each enrolment's entry (highest SEQUENCE; at an equal one, a
    cancellation wins), so a staff resend renders the current invitation or cancellation.
    """

    __tablename__ = "known_entries"

    enrolment_id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    session_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    sequence: int = Field(sa_column=Column(Integer, nullable=False))
    live: bool
    # The `Participant` as JSON (name, language, seat, calendar_uid, calendar_sequence).
    participant: str = Field(sa_column=Column(Text, nullable=False))
    position: int | None = None
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
