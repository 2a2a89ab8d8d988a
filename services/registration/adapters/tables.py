"""Tables of the registration service (SQLModel, on the service's own metadata).

The API models are in `app/schemas/`; these tables never leave the service. Beside the
registrations: API clients, and the extension of use (notices R9, deployment tests R10,
customerships R8).
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
# rejected or withdrawn (domain.states.INACTIVE_STATES).
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
    # Rises by one with every change (the events' `revision`: consumers keep the highest).
    revision: int = Field(
        default=1, sa_column=Column(Integer, nullable=False, server_default=text("1"))
    )
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


class ApiClient(RegistrationBase, table=True):
    """A client of the OAuth2 client-credentials grant: an organisation or Kela staff."""

    __tablename__ = "api_clients"

    client_id: str = Field(primary_key=True, max_length=64)
    secret_sha256: str = Field(max_length=64)
    role: str = Field(max_length=16)
    business_id: str | None = Field(default=None, max_length=9, index=True)
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Notice(RegistrationBase, table=True):
    """A change notice an organisation filed (R9)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_business_id_created_at", "business_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    business_id: str = Field(max_length=9)
    organisation_name: str = Field(max_length=200)
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    effective_on: date | None = None
    routed_to_kela: bool
    state: str = Field(max_length=16, index=True)
    filed_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    acknowledged_by: str | None = Field(default=None, max_length=64)


class NoticeHistory(RegistrationBase, table=True):
    """Append-only: who did what to a notice, and when."""

    __tablename__ = "notice_history"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: uuid.UUID = Field(foreign_key="notices.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(max_length=64)
    role: str = Field(max_length=16)
    action: str = Field(max_length=32)
    old_state: str | None = Field(default=None, max_length=16)
    new_state: str = Field(max_length=16)


class DeploymentTest(RegistrationBase, table=True):
    """A deployment test (käyttöönottokoe) in production with test identity codes (R10)."""

    __tablename__ = "deployment_tests"
    __table_args__ = (Index("ix_deployment_tests_state_due", "state", "report_due_on"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    registration_id: uuid.UUID = Field(index=True)
    business_id: str = Field(max_length=9, index=True)
    service: str = Field(max_length=64)
    environment: str = Field(max_length=16)
    planned_on: date
    state: str = Field(max_length=16)
    tested_on: date | None = None
    test_identities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    result_notes: str | None = Field(default=None, max_length=2000)
    report_due_on: date | None = None
    reminder_sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    overdue_flagged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    reported_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # R10: True when the report came after `report_due_on` (None: not reported yet).
    reported_late: bool | None = None
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Customership(RegistrationBase, table=True):
    """An organisation's Kanta customership and its checklist (R8)."""

    __tablename__ = "customerships"

    business_id: str = Field(primary_key=True, max_length=9)
    organisation_name: str = Field(max_length=200)
    existing_customer: bool = False
    commitment_signed_on: date | None = None
    service_application_on: date | None = None
    service_description_accepted_on: date | None = None
    details_submitted_on: date | None = None
    formed_on: date | None = None
    formed_with_registration_id: uuid.UUID | None = None
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
