"""The stored rows as the use cases read and change them, as protocols.

The routes reach nearly every use case, and the routes may not depend on the adapters, not
even through the use cases; so the use cases name rows by these protocols, which the tables
of `adapters.tables` satisfy (mypy checks it where `main` hands the unit of work over).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Protocol


class RegistrationRecord(Protocol):
    """A registration for a deployment period, with its form and review state."""

    id: uuid.UUID
    business_id: str
    organisation_name: str
    oid: str
    sector: str
    domain: str
    service: str
    reason: str
    period_year: int
    period_number: int
    planned_production_start: date
    vendor_handles_support: bool
    registration_required: bool
    system: dict[str, Any]
    customership: dict[str, Any]
    contacts: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    has_warnings: bool
    state: str
    state_note: str | None
    deployed_on: date | None
    revision: int
    submitted_by: str
    submitted_at: datetime
    updated_at: datetime


class HistoryRecord(Protocol):
    """One change of a registration."""

    id: int | None
    registration_id: uuid.UUID
    at: datetime
    actor_client_id: str
    actor_role: str
    actor_name: str | None
    action: str
    from_state: str | None
    to_state: str
    changes: dict[str, Any]
    note: str | None


class IdempotencyRecord(Protocol):
    """The first answer to a POST with an `Idempotency-Key`, per API client."""

    client_id: str
    key: str
    request_sha256: str
    registration_id: uuid.UUID
    status_code: int
    response: dict[str, Any]
    created_at: datetime


class PeriodRecord(Protocol):
    """A period as the read model knows it from the scheduling service's events."""

    year: int
    number: int
    period_id: uuid.UUID
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date
    source_occurred_at: datetime
    received_at: datetime


class ClientRecord(Protocol):
    """A client of the OAuth2 client-credentials grant."""

    client_id: str
    secret_sha256: str
    role: str
    business_id: str | None
    name: str | None
    created_at: datetime
    disabled_at: datetime | None


class NoticeRecord(Protocol):
    """A change notice an organisation filed (R9)."""

    id: uuid.UUID
    kind: str
    business_id: str
    organisation_name: str
    details: dict[str, Any]
    effective_on: date | None
    routed_to_kela: bool
    state: str
    filed_by: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class NoticeHistoryRecord(Protocol):
    """Who did what to a notice, and when."""

    id: int | None
    notice_id: uuid.UUID
    at: datetime
    actor: str
    role: str
    action: str
    old_state: str | None
    new_state: str


class DeploymentTestRecord(Protocol):
    """A deployment test in production with test identity codes (R10)."""

    id: uuid.UUID
    registration_id: uuid.UUID
    business_id: str
    service: str
    environment: str
    planned_on: date
    state: str
    tested_on: date | None
    test_identities: list[str]
    result_notes: str | None
    report_due_on: date | None
    reminder_sent_at: datetime | None
    overdue_flagged_at: datetime | None
    reported_at: datetime | None
    reported_late: bool | None
    report: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class CustomershipRecord(Protocol):
    """An organisation's Kanta customership and its checklist (R8)."""

    business_id: str
    organisation_name: str
    existing_customer: bool
    commitment_signed_on: date | None
    service_application_on: date | None
    service_description_accepted_on: date | None
    details_submitted_on: date | None
    formed_on: date | None
    formed_with_registration_id: uuid.UUID | None
    updated_at: datetime
