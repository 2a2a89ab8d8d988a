"""Pure rules of the extension of use (R8–R10). No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu

HELSINKI = ZoneInfo("Europe/Helsinki")
TEST_INDIVIDUAL_NUMBERS = range(900, 1000)  # R10: Kela's test identity codes
REPORT_REMINDER_HOUR = time(9, 0)


def helsinki_today(now: datetime) -> date:
    """The calendar day in Finland at the instant `now`."""
    return now.astimezone(HELSINKI).date()


# --- R9: notices ----------------------------------------------------------------------------


def earliest_connection_point_change(today: date, lead_days: int) -> date:
    """R9: a technical connection point change is notified at least `lead_days` ahead."""
    return today + timedelta(days=lead_days)


def connection_point_change_in_time(effective_on: date, today: date, lead_days: int) -> bool:
    return effective_on >= earliest_connection_point_change(today, lead_days)


def volume_growth_is_significant(document_increase: int, threshold: int) -> bool:
    """R9: growth *over* the threshold (500,000 by default) is notified to Kela."""
    return document_increase > threshold


# --- R10: deployment tests ------------------------------------------------------------------


class NotATestIdentity(ValueError):
    """A personal identity code that is not one of Kela's 900-series test codes."""


def check_test_identity(code: str) -> str:
    """R10: a valid personal identity code (format, date, check mark) whose individual number
    is 900–999, Kela's test series; returns it compacted and upper-case."""
    try:
        compact = str(hetu.validate(code, allow_temporary=True))
    except StdnumError:
        raise NotATestIdentity(
            f"{code!r} is not a personal identity code (ddmmyyCnnnT with a valid check mark)"
        ) from None
    individual = int(re.sub(r"\D", "", compact[7:10]))
    if individual not in TEST_INDIVIDUAL_NUMBERS:
        raise NotATestIdentity(
            f"{compact} is not a test identity code: the individual number {individual:03d} "
            "must be 900–999 (Kela's test series); never use a real person's code"
        )
    return compact


def report_due_on(tested_on: date, report_days: int) -> date:
    """R10: a successful test is reported within `report_days` (2) days: on or before this day."""
    return tested_on + timedelta(days=report_days)


def report_overdue(due_on: date, today: date) -> bool:
    """Overdue from the first day after the deadline (day 3 after the test by default)."""
    return today > due_on


def report_reminder_at(due_on: date) -> datetime:
    """The second reminder: the morning of the day before the deadline, Finnish time."""
    return datetime.combine(due_on - timedelta(days=1), REPORT_REMINDER_HOUR, tzinfo=HELSINKI)


# --- R8: customership ----------------------------------------------------------------------


@dataclass(frozen=True)
class Checklist:
    """What forms a Kanta customership (R8), each with the day it was done."""

    commitment_signed_on: date | None
    service_application_on: date | None
    service_description_accepted_on: date | None
    details_submitted_on: date | None

    def missing(self) -> list[str]:
        return [name for name, done in vars(self).items() if done is None]

    @property
    def complete(self) -> bool:
        return not self.missing()
