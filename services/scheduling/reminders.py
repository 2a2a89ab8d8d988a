"""Reminders: planned per confirmed enrolment and offset, emitted once each.

A row per (enrolment, offset) (a unique key) holds the due instant; the loop locks due rows
with `FOR UPDATE SKIP LOCKED`, emits `session.reminder_due` through the outbox and marks
them sent in the same transaction, so two replicas never send one reminder twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from services.scheduling import repository
from services.scheduling.enrolment_rules import iso_duration, reminders_to_keep
from services.scheduling.feeds import feed_url
from services.scheduling.models import Enrolment, Period, Reminder
from services.scheduling.models import Session as SessionRow
from services.scheduling.policy import Policy
from services.scheduling.snapshots import participant, session_info
from shared.contracts.scheduling import SessionReminderDue
from shared.types import utcnow
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)


async def plan_reminders(
    uow: UnitOfWork, policy: Policy, *, enrolment: Enrolment, starts_at: datetime
) -> None:
    """(Re)plan an enrolment's reminders for a session starting at `starts_at`.

    Reminders already sent stay sent; one whose time has passed is not created. When a
    session moves, each offset is planned afresh for the new time (and may go out again).
    """
    await repository.delete_reminders(uow.session, enrolment_ids=[enrolment.id], unsent_only=True)
    sent = {
        r.offset_s: r
        for r in await repository.list_reminders(uow.session, enrolment_id=enrolment.id)
    }
    for offset, due_at in reminders_to_keep(
        starts_at, policy.reminder_offsets, now=utcnow()
    ).items():
        seconds = int(offset.total_seconds())
        previous = sent.get(seconds)
        if previous is not None:
            if previous.due_at == due_at:
                continue  # this very reminder went out already
            previous.due_at, previous.sent_at = due_at, None
            repository.add(uow.session, row=previous)
            continue
        repository.add(
            uow.session,
            row=Reminder(enrolment_id=enrolment.id, offset_s=seconds, due_at=due_at),
        )
    await uow.session.flush()


async def drop_reminders(uow: UnitOfWork, *, enrolment_ids: Sequence[uuid.UUID]) -> None:
    """A cancelled enrolment or session is not reminded of."""
    await repository.delete_reminders(uow.session, enrolment_ids=enrolment_ids)


async def emit_due_reminders(
    uow: UnitOfWork, policy: Policy, *, now: datetime | None = None, limit: int = 100
) -> int:
    """Emit `session.reminder_due` for due reminders and mark them sent; the caller commits."""
    now = now or utcnow()
    due = await repository.lock_due_reminders(uow.session, now=now, limit=limit)
    periods: dict[uuid.UUID, Period] = {}
    for reminder in due:
        reminder.sent_at = now
        repository.add(uow.session, row=reminder)
        enrolment = await repository.get_enrolment(uow.session, enrolment_id=reminder.enrolment_id)
        if enrolment is None or enrolment.status != "confirmed":
            continue
        row = await repository.get_session(uow.session, session_id=enrolment.session_id)
        if row is None or row.status != "scheduled":
            continue
        period = periods.get(row.period_id) or await repository.get_period(
            uow.session, period_id=row.period_id
        )
        assert period is not None
        periods[period.id] = period
        uow.emit(
            SessionReminderDue(
                enrolment_id=enrolment.id,
                participant=participant(enrolment),
                session=session_info(row, period),
                offset=iso_duration(timedelta(seconds=reminder.offset_s)),
                feed_url=await feed_url(uow, policy, email=enrolment.email),
                due_at=reminder.due_at,
            )
        )
    return len(due)


async def replan_session(uow: UnitOfWork, policy: Policy, *, row: SessionRow) -> None:
    """A session moved: plan its confirmed participants' reminders for the new start."""
    for enrolment in await repository.list_enrolments(
        uow.session, session_id=row.id, statuses=["confirmed"]
    ):
        await plan_reminders(uow, policy, enrolment=enrolment, starts_at=row.starts_at)


async def run_reminders(
    uow_factory: Callable[[], UnitOfWork],
    policy: Policy,
    *,
    interval_s: float,
    batch_size: int,
) -> None:
    """Background loop: emit due reminders every `interval_s` until cancelled."""
    while True:
        emitted = 0
        try:
            async with uow_factory() as uow:
                emitted = await emit_due_reminders(uow, policy, limit=batch_size)
                await uow.commit()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reminder pass failed; trying again later")
        if emitted < batch_size:  # a full batch: more may be due, go on at once
            await asyncio.sleep(interval_s)
