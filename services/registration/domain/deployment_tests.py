"""Pure rules of deployment tests (R10): test identity codes and the report deadline."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu

from shared.clock import HELSINKI

TEST_INDIVIDUAL_NUMBERS = range(900, 1000)  # R10: Kela's test identity codes
REPORT_REMINDER_HOUR = time(9, 0)
# Only a registration Kela accepted (or one already deployed) is tested in production.
TESTABLE_STATES = frozenset({"accepted", "deployed"})

ReportFlag = Literal["reminder_sent_at", "overdue_flagged_at"]
"""The once-only marks of the report-deadline watch: the reminder, then the overdue flag."""


class DeploymentTestState(StrEnum):
    """Where a deployment test is: planned, then its result, then (after a success) reported."""

    PLANNED = "planned"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REPORTED = "reported"


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
