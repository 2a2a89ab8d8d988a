"""Seats: enrol, wait, promote, cancel. Every change holds the session's lock first.

The caller passes a session row fetched with `lock=True` (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers), so counting the confirmed seats
and taking one cannot interleave with another transaction: capacity is never exceeded.
"""

from __future__ import annotations

from dataclasses import replace

from services.scheduling.app.feeds import feed_url
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import EnrolmentRecord, PeriodRecord, SessionRecord
from services.scheduling.app.reminders import drop_reminders, plan_reminders
from services.scheduling.app.views import participant, session_info
from services.scheduling.domain.enrolment import Person, Waiting, seat_status, to_promote
from services.scheduling.domain.states import LIVE, EnrolmentStatus, SessionStatus
from shared.clock import Clock
from shared.contracts.scheduling import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
)


async def enrol(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    locked: SessionRecord,
    period: PeriodRecord,
    person: Person,
    clock: Clock,
) -> EnrolmentRecord | None:
    """Give `person` a seat in the locked session, or a place in line; None if already in."""
    email = person.email.lower()
    if await uow.enrolments.find_live(session_id=locked.id, email=email):
        return None
    counts = (await uow.enrolments.count_seats(session_ids=[locked.id]))[locked.id]
    status = seat_status(capacity=locked.capacity, confirmed=counts["confirmed"])
    locked.enrolment_counter += 1
    now = clock.now()
    enrolment = uow.enrolments.create(
        session_id=locked.id,
        person=replace(person, email=email),
        status=status,
        queue_no=locked.enrolment_counter,
        now=now,
    )
    await uow.flush()
    common = {
        "enrolment_id": enrolment.id,
        "participant": participant(enrolment),
        "session": session_info(locked, period),
        "feed_url": await feed_url(uow, policy, email=email, clock=clock),
    }
    if status == "confirmed":
        await plan_reminders(
            uow, policy, enrolment=enrolment, starts_at=locked.starts_at, clock=clock
        )
        uow.emit(EnrolmentConfirmed.model_validate(common))
    else:
        uow.emit(
            EnrolmentWaitlisted.model_validate({**common, "position": counts["waitlisted"] + 1})
        )
    return enrolment


async def fill_free_seats(
    uow: SchedulingUoW, policy: Policy, *, locked: SessionRecord, period: PeriodRecord, clock: Clock
) -> list[EnrolmentRecord]:
    """Promote the first in line into every free seat of a scheduled session (R2)."""
    if locked.status != SessionStatus.SCHEDULED:
        return []
    waiting = await uow.enrolments.list_all(
        session_id=locked.id, statuses=[EnrolmentStatus.WAITLISTED]
    )
    counts = (await uow.enrolments.count_seats(session_ids=[locked.id]))[locked.id]
    chosen = set(
        to_promote(
            capacity=locked.capacity,
            confirmed=counts["confirmed"],
            waiting=[Waiting(enrolment_id=e.id, queue_no=e.queue_no) for e in waiting],
        )
    )
    promoted = [e for e in waiting if e.id in chosen]
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.updated_at = clock.now()
        await plan_reminders(
            uow, policy, enrolment=enrolment, starts_at=locked.starts_at, clock=clock
        )
        uow.emit(
            EnrolmentPromoted(
                enrolment_id=enrolment.id,
                participant=participant(enrolment),
                session=session_info(locked, period),
                feed_url=await feed_url(uow, policy, email=enrolment.email, clock=clock),
            )
        )
    return promoted


async def cancel(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    locked: SessionRecord,
    period: PeriodRecord,
    enrolment: EnrolmentRecord,
    reason: str,
    clock: Clock,
) -> bool:
    """Cancel a live enrolment, free its seat and promote from the waiting list."""
    if enrolment.status not in LIVE:
        return False
    had_seat = enrolment.status == EnrolmentStatus.CONFIRMED
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancel_reason = reason
    enrolment.updated_at = clock.now()
    await drop_reminders(uow, enrolment_ids=[enrolment.id])
    uow.emit(
        EnrolmentCancelled(
            enrolment_id=enrolment.id,
            participant=participant(enrolment),
            session=session_info(locked, period),
            reason=reason,
        )
    )
    await uow.flush()
    if had_seat:
        await fill_free_seats(uow, policy, locked=locked, period=period, clock=clock)
    return True
