"""Tables of the registration service (SQLModel, on the service's own metadata).

The API models are in `schemas.py`; these tables never leave the service.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.messaging.tables import messaging_tables
from shared.types import UTCDateTime


class RegistrationBase(SQLModel, registry=registry()):
    """Base of this service's tables: its own metadata, so its migrations see only these."""


metadata = RegistrationBase.metadata
messaging = messaging_tables(metadata)

# The duplicate rule as a constraint, so that it holds under concurrent requests on
# PostgreSQL too: one registration per organisation, service and period that is not
# rejected or withdrawn (domain.INACTIVE_STATES).
ACTIVE_ONLY = "state NOT IN ('rejected', 'withdrawn')"


class Registration(RegistrationBase, table=True):
    """A registration for a deployment period, with its form and review state."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_active",
            "business_id",
            "service",
            "period_year",
            "period_number",
            unique=True,
            postgresql_where=text(ACTIVE_ONLY),
            sqlite_where=text(ACTIVE_ONLY),
        ),
        # Keyset pagination in (updated_at, id) order: for staff, per organisation, per period.
        Index("ix_registrations_updated", "updated_at", "id"),
        Index("ix_registrations_org_updated", "business_id", "updated_at", "id"),
        Index(
            "ix_registrations_period_updated", "period_year", "period_number", "updated_at", "id"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    business_id: str = Field(max_length=9)
    organisation_name: str = Field(max_length=200)
    oid: str = Field(max_length=64)
    sector: str = Field(max_length=16)
    domain: str = Field(max_length=32)
    service: str = Field(max_length=64)
    reason: str = Field(max_length=64)
    period_year: int
    period_number: int
    planned_production_start: date
    vendor_handles_support: bool
    registration_required: bool
    system: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    customership: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    contacts: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    warnings: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    has_warnings: bool
    state: str = Field(max_length=32, index=True)
    state_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    deployed_on: date | None = None
    submitted_by: str = Field(max_length=64)
    submitted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class RegistrationHistory(RegistrationBase, table=True):
    """One change of a registration; rows are only ever added (the repository has no update)."""

    __tablename__ = "registration_history"

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    registration_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("registrations.id"), nullable=False, index=True)
    )
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor_client_id: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    actor_name: str | None = Field(default=None, max_length=200)
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str = Field(max_length=32)
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class IdempotencyRecord(RegistrationBase, table=True):
    """The first answer to a POST with an `Idempotency-Key`, per API client."""

    __tablename__ = "idempotency_keys"

    client_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=200)
    request_sha256: str = Field(max_length=64)
    registration_id: uuid.UUID
    status_code: int
    response: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class KnownPeriod(RegistrationBase, table=True):
    """Read model of the scheduling service's periods, filled from `period.*` events."""

    __tablename__ = "known_periods"
    __table_args__ = (UniqueConstraint("period_id", name="uq_known_periods_period_id"),)

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    period_id: uuid.UUID
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date
    source_occurred_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
