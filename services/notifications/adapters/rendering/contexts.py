"""The variables of each mail, as pydantic models: a template may use only what its model has."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import RegistrationWarning
from shared.contracts.scheduling import SessionInfo


class MailContext(BaseModel):
    """What every mail has: the person it greets."""

    model_config = ConfigDict(frozen=True)

    contact_name: str


class PeriodDates(BaseModel):
    """A period's first and last day, when the period is known from scheduling's events."""

    model_config = ConfigDict(frozen=True)

    starts_on: date
    ends_on: date


class RegistrationSummary(MailContext):
    """What every registration mail shows about the registration."""

    organisation_name: str
    business_id: str
    registration_id: uuid.UUID
    service: str
    period: PeriodRef
    period_dates: PeriodDates | None = None


class ReceiptContext(RegistrationSummary):
    """Variables of `registration_received` and `registration_staff_copy`."""

    planned_production_start: date | None = None
    registration_required: bool = True
    warnings: list[RegistrationWarning] = Field(default_factory=list)
    submitted_at: datetime
    staff_copy: bool = False
    # The staff copy lists the registration's contacts (the receipt goes to each of them).
    contacts: list[Contact] = Field(default_factory=list)


class DecisionContext(RegistrationSummary):
    """Variables of the mails on a registration's later states (accepted, rejected, …)."""

    note: str | None = None
    from_period: PeriodRef | None = None
    sessions: list[SessionInfo] = Field(default_factory=list)


class Change(BaseModel):
    """One changed field of a rescheduled session, old → new (datetimes already parsed)."""

    model_config = ConfigDict(frozen=True)

    field: str
    old: Any
    new: Any


class SessionContext(MailContext):
    """Variables of the mails about one session: enrolments, changes, reminders."""

    session: SessionInfo
    position: int | None = None
    note: str | None = None
    changes: list[Change] = Field(default_factory=list)
    feed_url: str | None = None
    # The person waits for a seat (holds a tentative entry) rather than holding one.
    waiting: bool = False


class NoticeContext(MailContext):
    """Variables of `notice_to_kela`: a change notice of an extension of use (R9)."""

    notice_id: uuid.UUID
    kind: str
    business_id: str
    organisation_name: str
    details: dict[str, Any] = Field(default_factory=dict)
    effective_on: date | None = None


class DeploymentTestContext(MailContext):
    """Variables of the deployment-test mails: the test and its report deadline (R10)."""

    organisation_name: str
    business_id: str
    registration_id: uuid.UUID
    service: str
    tested_on: date | None = None
    report_due_on: date | None = None
