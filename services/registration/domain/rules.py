"""The rules of the registration form (R3–R8) as pure functions over plain values.

Each check returns the violations it finds (problem, field, sentence); `assess` runs them all so
that one answer names every problem of a form. Dates are Finnish calendar days.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from services.registration.domain import errors
from shared.problems import ProblemType

REASONS = ("first_deployment", "new_service_or_functionality", "significant_extension")
CHECKLIST = (
    "commitment_signed_on",
    "service_application_on",
    "service_description_accepted_on",
    "details_submitted_on",
)
# R6: about 3–6 months with a certified system; at least a year with an uncertified one.
LEAD_MONTHS_CERTIFIED = 3
LEAD_MONTHS_UNCERTIFIED = 12


@dataclass(frozen=True)
class Violation:
    """A rule the form breaks: its problem (domain.errors), the field at fault and a sentence."""

    problem: ProblemType
    field: str
    message: str

    @property
    def code(self) -> str:
        """The stable problem code."""
        return self.problem.code


@dataclass(frozen=True)
class Warning:
    """Something staff should see; the form is accepted anyway."""

    code: str
    message: str


class FormRejected(ValueError):
    """The form breaks at least one rule."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations


@dataclass(frozen=True)
class PeriodWindow:
    """A period's dates as the local read model knows them."""

    year: int
    number: int
    starts_on: date
    ends_on: date
    registration_opens_on: date
    registration_closes_on: date


@dataclass(frozen=True)
class Form:
    """What the rules need of a form, as plain values."""

    domain: str
    service: str
    service_domains: frozenset[str] | None  # None: the service is not in the catalogue
    reason: str
    certified: bool
    profile: str | None
    vendor_handles_support: bool
    planned_production_start: date
    existing_customer: bool
    checklist: Mapping[str, date | None] = field(default_factory=dict)
    contact_emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """The outcome of an accepted form."""

    warnings: list[Warning]
    registration_required: bool


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months, clamped to the month's last day (31.1. + 1 → 28.2.)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_is_open(window: PeriodWindow | None, *, today: date) -> bool:
    """True when registrations for the period are taken today (both ends included)."""
    return window is not None and (
        window.registration_opens_on <= today <= window.registration_closes_on
    )


def check_service(form: Form) -> list[Violation]:
    """The service is in the catalogue and its domain may deploy it."""
    if form.service_domains is None:
        return [
            Violation(
                errors.UNKNOWN_SERVICE,
                "service",
                f"{form.service!r} is not in the service catalogue; see GET /v1/services.",
            )
        ]
    if form.domain not in form.service_domains:
        allowed = ", ".join(sorted(form.service_domains))
        return [
            Violation(
                errors.SERVICE_NOT_FOR_DOMAIN,
                "service",
                f"{form.service} is deployed by {allowed}, not by {form.domain}.",
            )
        ]
    return []


def check_reason(form: Form) -> list[Violation]:
    """R3/R4: a significant extension (a system-profile change) is for social welfare only."""
    social_welfare = form.domain == "social_welfare"
    found: list[Violation] = []
    if form.reason == "significant_extension" and not social_welfare:
        found.append(
            Violation(
                errors.PROFILE_CHANGE_NOT_SOCIAL_WELFARE,
                "reason",
                "A significant extension (a change of the information-system profile) is a "
                f"reason for social welfare only, not for {form.domain}.",
            )
        )
    if form.profile is not None and not social_welfare:
        found.append(
            Violation(
                errors.PROFILE_CHANGE_NOT_SOCIAL_WELFARE,
                "system.profile",
                "Information-system profiles belong to social welfare; leave the profile empty "
                f"for {form.domain}.",
            )
        )
    if form.reason == "significant_extension" and social_welfare and form.profile is None:
        found.append(
            Violation(
                errors.PROFILE_REQUIRED,
                "system.profile",
                "A significant extension names the new information-system profile.",
            )
        )
    return found


def check_vendor_support(form: Form) -> list[Violation]:
    """R5: only health care may leave the deployment support to its system vendor."""
    if form.vendor_handles_support and form.domain != "health_care":
        return [
            Violation(
                errors.VENDOR_SUPPORT_NOT_HEALTH_CARE,
                "vendor_handles_support",
                "Only a health care organisation may leave the deployment support to its "
                "system vendor.",
            )
        ]
    return []


def registration_required(form: Form) -> bool:
    """R5: a health care organisation whose vendor handles the support need not register."""
    return not (form.domain == "health_care" and form.vendor_handles_support)


def production_after_period(planned: date, window: PeriodWindow) -> list[Violation]:
    """R7: production use starts by the period's last day at the latest."""
    if planned > window.ends_on:
        return [
            Violation(
                errors.PRODUCTION_AFTER_PERIOD,
                "planned_production_start",
                f"Production use must start by the last day of period {window.year}/"
                f"{window.number} ({window.ends_on.isoformat()}); choose a later period or "
                "an earlier date.",
            )
        ]
    return []


def check_production_start(form: Form, window: PeriodWindow) -> list[Violation]:
    """R7 on a form."""
    return production_after_period(form.planned_production_start, window)


def check_production_not_past(form: Form, *, today: date) -> list[Violation]:
    """Production use is planned from today on: a start in the past is no plan."""
    if form.planned_production_start < today:
        return [
            Violation(
                errors.PRODUCTION_START_IN_PAST,
                "planned_production_start",
                "Production use cannot be planned to start in the past "
                f"({form.planned_production_start.isoformat()}); give a date from today on.",
            )
        ]
    return []


def lead_time_warnings(form: Form, *, today: date) -> list[Warning]:
    """R6: under 3 months (certified) or 12 months (uncertified) is accepted with a warning."""
    months = LEAD_MONTHS_CERTIFIED if form.certified else LEAD_MONTHS_UNCERTIFIED
    if form.planned_production_start >= add_months(today, months):
        return []
    kind = "a certified" if form.certified else "an uncertified"
    return [
        Warning(
            "short_lead_time",
            f"Production is planned for {form.planned_production_start.isoformat()}, less than "
            f"{months} months away; with {kind} system reserve at least {months} months.",
        )
    ]


def check_customership(form: Form, *, today: date) -> list[Violation]:
    """R8: a later deployment needs an existing customership; checklist dates are past."""
    found: list[Violation] = []
    if not form.existing_customer and form.reason != "first_deployment":
        found.append(
            Violation(
                errors.CUSTOMERSHIP_REQUIRED,
                "customership.existing_customer",
                "Only a first deployment forms the Kanta customership; extending use needs an "
                "existing customership.",
            )
        )
    for item, done_on in form.checklist.items():
        if done_on is not None and done_on > today:
            found.append(
                Violation(
                    errors.DATE_IN_FUTURE,
                    f"customership.{item}",
                    f"{done_on.isoformat()} is in the future; give the date it was done.",
                )
            )
    return found


def check_contacts(form: Form) -> list[Violation]:
    """Each person is named once: the same email (in any case) twice is a mistake (14.5)."""
    seen: dict[str, int] = {}
    found: list[Violation] = []
    for index, email in enumerate(form.contact_emails):
        key = email.casefold()
        if key in seen:
            found.append(
                Violation(
                    errors.DUPLICATE_CONTACT,
                    f"contacts.{index}.email",
                    f"contacts.{index} has the email address of contacts.{seen[key]} "
                    f"({email}); name each person once.",
                )
            )
        else:
            seen[key] = index
    return found


def pending_checklist(form: Form) -> list[str]:
    """R8: the commitment steps still open (none once the customership exists)."""
    if form.existing_customer:
        return []
    return [item for item in CHECKLIST if form.checklist.get(item) is None]


def assess(
    form: Form, window: PeriodWindow, *, today: date, check_start: bool = True
) -> Assessment:
    """Run every rule; raise FormRejected naming all violations, else return the warnings.

    `check_start=False` (an edit that changes neither the production start nor the period)
    leaves out R7 and the start-in-the-past check: what did not change is not refused now
    because the period was shortened or time went by (issue 14.5); the R7 warning stays.
    """
    violations = [
        *check_service(form),
        *check_reason(form),
        *check_vendor_support(form),
        *(check_production_start(form, window) if check_start else []),
        *(check_production_not_past(form, today=today) if check_start else []),
        *check_customership(form, today=today),
        *check_contacts(form),
    ]
    if violations:
        raise FormRejected(violations)
    warnings = lead_time_warnings(form, today=today)
    if not check_start:  # R7 still broken (the period was shortened): staff keep seeing it
        warnings += period_end_warnings(form, window)
    return Assessment(warnings=warnings, registration_required=registration_required(form))


def period_end_warnings(form: Form, window: PeriodWindow) -> list[Warning]:
    """R7 as a warning: for a registration that was in time until its period was shortened."""
    return r7_warnings(form.planned_production_start, window)


def r7_warnings(planned: date, window: PeriodWindow) -> list[Warning]:
    """R7 as a warning (`production_after_period`) when the production start is too late."""
    return [Warning(v.code, v.message) for v in production_after_period(planned, window)]
