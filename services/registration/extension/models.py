"""Tables of the extension of use; they share the registration service's metadata."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from services.registration.models import RegistrationBase
from shared.types import UTCDateTime


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
