"""The report-deadline watch of deployment tests (R10).

Once a day is enough, but it runs every few minutes: the day before the deadline it emits
`deployment_test.report_reminder_due`, after the deadline `deployment_test.report_overdue`,
each exactly once per test even with several replicas (a conditional UPDATE claims it).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from services.registration.extension import rules
from services.registration.extension.deployment_tests import event_fields
from services.registration.extension.models import DeploymentTest
from services.registration.extension.registrations import load_registration
from shared.contracts.extension import (
    DeploymentTestReportOverdue,
    DeploymentTestReportReminderDue,
)
from shared.runtime import Runtime
from shared.types import utcnow

log = logging.getLogger(__name__)


async def _claim(runtime: Runtime, test: DeploymentTest, column: str, now: datetime) -> bool:
    """Mark `column` on one test and emit its event in one transaction, if nobody did."""
    async with runtime.uow() as uow:
        table = DeploymentTest.__table__  # type: ignore[attr-defined]
        connection = await uow.session.connection()
        result = await connection.execute(
            update(table)
            .where(table.c.id == test.id, table.c[column].is_(None), table.c.state == "succeeded")
            .values({column: now})
        )
        if result.rowcount != 1:
            return False
        registration = await load_registration(uow, test.registration_id)
        if registration is None:
            return False
        fields = event_fields(test, registration)
        if column == "overdue_flagged_at":
            uow.emit(DeploymentTestReportOverdue(**fields))
        else:
            uow.emit(DeploymentTestReportReminderDue(**fields))
        await uow.commit()
        return True


async def check_report_deadlines(runtime: Runtime, now: datetime | None = None) -> dict[str, int]:
    """One pass: reminders due and overdue reports; returns how many of each it emitted."""
    now = now or utcnow()
    today = rules.helsinki_today(now)
    async with runtime.uow() as uow:
        rows = list(
            await uow.session.exec(
                select(DeploymentTest).where(
                    DeploymentTest.state == "succeeded",
                    col(DeploymentTest.overdue_flagged_at).is_(None),
                )
            )
        )
    counts = {"reminders": 0, "overdue": 0}
    for test in rows:
        assert test.report_due_on is not None
        if rules.report_overdue(test.report_due_on, today):
            counts["overdue"] += await _claim(runtime, test, "overdue_flagged_at", now)
        elif test.reminder_sent_at is None and now >= rules.report_reminder_at(test.report_due_on):
            counts["reminders"] += await _claim(runtime, test, "reminder_sent_at", now)
    if any(counts.values()):
        log.info("deployment test deadlines: %s", counts)
    return counts


async def watch_report_deadlines(runtime: Runtime, interval_s: float) -> None:
    """Run `check_report_deadlines` for ever, every `interval_s` seconds."""
    while True:
        try:
            await check_report_deadlines(runtime)
        except Exception:  # keep watching; the next pass retries what failed
            log.exception("deployment test deadline check failed")
        await asyncio.sleep(interval_s)
