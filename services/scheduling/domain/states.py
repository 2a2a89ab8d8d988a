"""The states of periods, sessions and enrolments, and the reasons a seat ends."""

from __future__ import annotations

from enum import StrEnum


class PeriodStatus(StrEnum):
    """A period is a draft until staff publish it (R1); publishing is one-way."""

    DRAFT = "draft"
    PUBLISHED = "published"


class SessionStatus(StrEnum):
    """draft → scheduled (its period is published) → cancelled (final)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class EnrolmentStatus(StrEnum):
    """waitlisted → confirmed (promoted) → cancelled; cancelled is final."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


LIVE = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)
"""Enrolments that hold a seat or a place in line."""

SEATED_STATES = ("accepted", "moved")
"""Registration states whose participants hold seats (R2): accepted or moved into the period.
Every other state frees them: an edit (back to `submitted` for review), a return, a
rejection, a withdrawal, and a deployment (the preparation is behind it, R7)."""

DELIBERATE_CANCELLATIONS = ("cancelled_by_organisation", "cancelled_by_staff", "moved")
"""Reasons that mean a person was taken out on purpose: not seated again automatically."""


def visible(*statuses: str, staff: bool) -> bool:
    """A draft (period or session) is for staff only; everything else for every caller."""
    return staff or PeriodStatus.DRAFT not in statuses
