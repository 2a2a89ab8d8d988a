"""What the lists may be narrowed by, and where a page of registrations ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Filters:
    """What a list of registrations may be narrowed by."""

    business_id: str | None = None
    period_year: int | None = None
    period_number: int | None = None
    service: str | None = None
    domain: str | None = None
    state: str | None = None
    has_warnings: bool | None = None
    modified_since: datetime | None = None


@dataclass(frozen=True)
class Position:
    """Where a page ends in the (updated_at, id) order."""

    updated_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class NoticeFilters:
    """What a list of notices may be narrowed by."""

    business_id: str | None = None
    state: str | None = None
    kind: str | None = None
    routed_to_kela: bool | None = None


@dataclass(frozen=True)
class DeploymentTestFilters:
    """What a list of deployment tests may be narrowed by (`today` decides overdue)."""

    today: date
    business_id: str | None = None
    registration_id: uuid.UUID | None = None
    state: str | None = None
    report_overdue: bool | None = None
