"""The report-deadline watch of deployment tests (R10), one pass at a time.

Once a day is enough, but it runs every few minutes: the day before the deadline it emits
`deployment_test.report_reminder_due`, after the deadline `deployment_test.report_overdue`,
each exactly once per test even with several replicas (a conditional UPDATE claims it).
"""

from __future__ import annotations

import logging

from services.registration.app import views
from services.registration.app.ports import UnitOfWorkFactory
from services.registration.app.records import DeploymentTestRecord
from services.registration.domain import deployment_tests
from services.registration.domain.deployment_tests import ReportFlag
from shared.clock import Clock
from shared.contracts.extension import (
    DeploymentTestReportOverdue,
    DeploymentTestReportReminderDue,
)
from shared.loops import Pass

log = logging.getLogger(__name__)


async def _claim(
    units: UnitOfWorkFactory, test: DeploymentTestRecord, flag: ReportFlag, *, clock: Clock
) -> bool:
    """Set `flag` on one test and emit its event in one transaction, if nobody did."""
    async with units() as uow:
        if not await uow.deployment_tests.claim(test_id=test.id, flag=flag, at=clock.now()):
            return False
        registration = await uow.registrations.get(registration_id=test.registration_id)
        if registration is None:
            return False
        fields = views.deployment_test_event_fields(test, registration)
        if flag == "overdue_flagged_at":
            uow.emit(DeploymentTestReportOverdue(**fields))
        else:
            uow.emit(DeploymentTestReportReminderDue(**fields))
        await uow.commit()
        return True


async def check_report_deadlines(units: UnitOfWorkFactory, *, clock: Clock) -> dict[str, int]:
    """One pass: reminders due and overdue reports; returns how many of each it emitted."""
    now, today = clock.now(), clock.today()
    async with units() as uow:
        awaiting = await uow.deployment_tests.list_awaiting_report()
    counts = {"reminders": 0, "overdue": 0}
    for test in awaiting:
        assert test.report_due_on is not None  # set with the success
        if deployment_tests.report_overdue(test.report_due_on, today):
            counts["overdue"] += await _claim(units, test, "overdue_flagged_at", clock=clock)
        elif test.reminder_sent_at is None and now >= deployment_tests.report_reminder_at(
            test.report_due_on
        ):
            counts["reminders"] += await _claim(units, test, "reminder_sent_at", clock=clock)
    if any(counts.values()):
        log.info("deployment test deadlines: %s", counts)
    return counts


def report_deadline_pass(units: UnitOfWorkFactory, *, clock: Clock) -> Pass:
    """The watch as a loop pass (`runtime.run_loop`); a pass is never full: wait between."""

    async def one_pass() -> bool:
        await check_report_deadlines(units, clock=clock)
        return False

    return one_pass
