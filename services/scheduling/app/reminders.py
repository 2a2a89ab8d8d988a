"""Reminders: planned per confirmed enrolment and offset, emitted once each.

A row per (enrolment, offset) (a unique key) holds the due instant; the pass locks due rows
with `FOR UPDATE SKIP LOCKED`, emits `session.reminder_due` through the outbox and marks
them sent in the same transaction, so two replicas never send one reminder twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from services.scheduling.app.feeds import feed_url
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import (
    EnrolmentRecord,
    PeriodRecord,
    SessionRecord,
)
from services.scheduling.app.views import participant, session_info
from services.scheduling.domain.reminders import iso_duration, reminders_to_keep
from services.scheduling.domain.states import EnrolmentStatus, SessionStatus
from shared.clock import Clock
from shared.contracts.scheduling import SessionReminderDue
from shared.loops import Pass


async def plan_reminders(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    enrolment: EnrolmentRecord,
    starts_at: datetime,
    clock: Clock,
) -> None:
    """(Re)plan an enrolment's reminders for a session starting at `starts_at`.

    Reminders already sent stay sent; one whose time has passed is not created. When a
    session moves, each offset is planned afresh for the new time (and may go out again).
    """
    await uow.reminders.delete(enrolment_ids=[enrolment.id], unsent_only=True)
    sent = {r.offset_s: r for r in await uow.reminders.list_all(enrolment_id=enrolment.id)}
    ahead = reminders_to_keep(starts_at, policy.reminder_offsets, now=clock.now())
    for offset, due_at in ahead.items():
        seconds = int(offset.total_seconds())
        previous = sent.get(seconds)
        if previous is not None:
            if previous.due_at == due_at:
                continue  # this very reminder went out already
            previous.due_at, previous.sent_at = due_at, None
            continue
        uow.reminders.create(enrolment_id=enrolment.id, offset_s=seconds, due_at=due_at)
    await uow.flush()


async def drop_reminders(uow: SchedulingUoW, *, enrolment_ids: Sequence[uuid.UUID]) -> None:
    """A cancelled enrolment or session is not reminded of."""
    await uow.reminders.delete(enrolment_ids=enrolment_ids)


async def replan_session(
    uow: SchedulingUoW, policy: Policy, *, row: SessionRecord, clock: Clock
) -> None:
    """A session moved: plan its confirmed participants' reminders for the new start."""
    for enrolment in await uow.enrolments.list_all(
        session_id=row.id, statuses=[EnrolmentStatus.CONFIRMED]
    ):
        await plan_reminders(uow, policy, enrolment=enrolment, starts_at=row.starts_at, clock=clock)


def _planned_as_configured(
    planned: Sequence[datetime], *, starts_at: datetime, policy: Policy, now: datetime
) -> bool:
    ahead = reminders_to_keep(starts_at, policy.reminder_offsets, now=now)
    return sorted(planned) == sorted(ahead.values())


async def replan_open_sessions(uow: SchedulingUoW, policy: Policy, *, clock: Clock) -> int:
    """Bring existing enrolments' reminders to the configured offsets (they may have changed
    since they were planned): each open session under its lock, so replicas starting at once
    do it one after the other; the caller commits. Returns how many enrolments changed."""
    now = clock.now()
    periods = await uow.periods.list_all()
    rows = await uow.sessions.list_all(
        period_ids=[p.id for p in periods], statuses=[SessionStatus.SCHEDULED]
    )
    changed = 0
    for row in sorted((r for r in rows if r.starts_at > now), key=lambda r: r.id):
        locked = await uow.sessions.get(session_id=row.id, lock=True)
        assert locked is not None
        for enrolment in await uow.enrolments.list_all(
            session_id=row.id, statuses=[EnrolmentStatus.CONFIRMED]
        ):
            pending = [
                r.due_at
                for r in await uow.reminders.list_all(enrolment_id=enrolment.id)
                if r.due_at > now
            ]
            if _planned_as_configured(pending, starts_at=locked.starts_at, policy=policy, now=now):
                continue
            await plan_reminders(
                uow, policy, enrolment=enrolment, starts_at=locked.starts_at, clock=clock
            )
            changed += 1
    return changed


async def replan_on_start(
    new_uow: Callable[[], SchedulingUoW], policy: Policy, *, clock: Clock
) -> int:
    """At start: the reminders of existing enrolments follow the offsets now configured."""
    uow = new_uow()
    async with uow:
        changed = await replan_open_sessions(uow, policy, clock=clock)
        await uow.commit()
    return changed


async def emit_due_reminders(
    uow: SchedulingUoW, policy: Policy, *, clock: Clock, limit: int = 100
) -> int:
    """Emit `session.reminder_due` for due reminders and mark them sent; the caller commits."""
    now = clock.now()
    due = await uow.reminders.lock_due(now=now, limit=limit)
    periods: dict[uuid.UUID, PeriodRecord] = {}
    for reminder in due:
        reminder.sent_at = now
        enrolment = await uow.enrolments.get(enrolment_id=reminder.enrolment_id)
        if enrolment is None or enrolment.status != EnrolmentStatus.CONFIRMED:
            continue
        row = await uow.sessions.get(session_id=enrolment.session_id)
        if row is None or row.status != SessionStatus.SCHEDULED:
            continue
        period = periods.get(row.period_id) or await uow.periods.get(period_id=row.period_id)
        assert period is not None
        periods[period.id] = period
        uow.emit(
            SessionReminderDue(
                enrolment_id=enrolment.id,
                participant=participant(enrolment),
                session=session_info(row, period),
                offset=iso_duration(timedelta(seconds=reminder.offset_s)),
                feed_url=await feed_url(
                    uow,
                    policy,
                    registration_id=enrolment.registration_id,
                    email=enrolment.email,
                    clock=clock,
                ),
                due_at=reminder.due_at,
            )
        )
    return len(due)


async def send_due_reminders(
    uow: SchedulingUoW, policy: Policy, *, clock: Clock, batch_size: int
) -> bool:
    """One pass of the reminders loop: emit a batch and commit; True when the batch was full."""
    async with uow:
        emitted = await emit_due_reminders(uow, policy, clock=clock, limit=batch_size)
        await uow.commit()
    return emitted >= batch_size


def reminders_pass(
    new_uow: Callable[[], SchedulingUoW], policy: Policy, *, clock: Clock, batch_size: int
) -> Pass:
    """The pass `runtime.run_loop` runs: a fresh unit of work each time."""

    async def one_pass() -> bool:
        return await send_due_reminders(new_uow(), policy, clock=clock, batch_size=batch_size)

    return one_pass
