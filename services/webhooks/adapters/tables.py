"""Tables of the webhooks service (SQLModel, on the service's own metadata)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.messaging.tables import messaging_tables
from shared.types import UTCDateTime


class WebhooksBase(SQLModel, registry=registry()):
    """Base of this service's tables: its own metadata, so its migrations see only these."""


metadata = WebhooksBase.metadata
messaging = messaging_tables(metadata)


class Subscription(WebhooksBase, table=True):
    """An organisation's endpoint and the event types it takes.

    The signing secrets are stored encrypted (the secret box, a Fernet key from the
    settings), never hashed: every delivery is signed with the secret itself (HMAC).
    """

    __tablename__ = "subscriptions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    business_id: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    url: str = Field(sa_column=Column(Text, nullable=False))
    # JSON list of event types.
    event_types: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=16)
    status_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    secret_ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    # The secret before the last rotation, still signing until `previous_secret_until`.
    previous_secret_ciphertext: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True)
    )
    previous_secret_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The first failure since the last success (None while the endpoint answers 2xx).
    failing_since: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Delivery(WebhooksBase, table=True):
    """One event for one subscription, with its scheduled next attempt and the claim on it.

    `round` is 0 for the event's own delivery and rises with each redelivery from the API;
    every round carries the event's id as `webhook-id`, and the same body bytes.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "round", name="uq_deliveries_event"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_subscription_created", "subscription_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subscription_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    event_type: str = Field(max_length=200)
    round: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=16)
    attempts: int = Field(default=0)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    next_attempt_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    claimed_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    claim_token: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    correlation_id: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class Attempt(WebhooksBase, table=True):
    """The delivery log: one HTTP attempt, what was sent and what came back."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_delivery", "delivery_id", "number"),
        Index("ix_attempts_started", "started_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    delivery_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False)
    )
    subscription_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False, index=True))
    number: int
    url: str = Field(sa_column=Column(Text, nullable=False))
    # JSON object of the request headers as sent.
    request_headers: str = Field(sa_column=Column(Text, nullable=False))
    status_code: int | None = Field(default=None)
    duration_ms: int
    response_excerpt: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome: str = Field(max_length=16)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class KnownRegistration(WebhooksBase, table=True):
    """Read model from `registration.*` snapshots: whose a registration is (highest revision)."""

    __tablename__ = "known_registrations"

    registration_id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    business_id: str = Field(max_length=20)
    revision: int = Field(default=0)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ParkedEvent(WebhooksBase, table=True):
    """An enrolment event whose registration is not known yet: fanned out once it is."""

    __tablename__ = "parked_events"

    event_id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    registration_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False, index=True))
    # The whole envelope as JSON.
    envelope: str = Field(sa_column=Column(Text, nullable=False))
    parked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
