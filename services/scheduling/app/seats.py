"""Seats: enrol, wait, promote, cancel. Every change holds the session's lock first.

The caller passes a session row fetched with `lock=True` (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers), so counting the confirmed seats
and taking one cannot interleave with another transaction: capacity is never exceeded.

Each enrolment is the person's own calendar entry: `calendar_uid` stays for the person in the
session (a re-seat keeps it), `calendar_sequence` rises with every change the entry shows:
a seat taken or promoted into, a cancellation, a new time, place, link or title.
"""

from __future__ import annotations

from dataclasses import replace

from services.scheduling.app.feeds import feed_url
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import EnrolmentRecord, PeriodRecord, SessionRecord
from services.scheduling.app.reminders import drop_reminders, plan_reminders
from services.scheduling.app.views import calendar_uid, participant, session_info
from services.scheduling.domain.enrolment import Person, Waiting, seat_status, to_promote
from services.scheduling.domain.states import LIVE, EnrolmentStatus, SessionStatus
from shared.clock import Clock
from shared.contracts.scheduling import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentEvent,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
)


async def invitation(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    enrolment: EnrolmentRecord,
    locked: SessionRecord,
    period: PeriodRecord,
    clock: Clock,
    position: int | None = None,
    resend: bool = False,
) -> EnrolmentEvent:
    """The current invitation of a live enrolment: confirmed, or waiting at `position`."""
    common = {
        "enrolment_id": enrolment.id,
        "participant": participant(enrolment),
        "session": session_info(locked, period),
        "feed_url": await feed_url(
            uow,
            policy,
            registration_id=enrolment.registration_id,
            email=enrolment.email,
            clock=clock,
        ),
        "resend": resend,
    }
    if enrolment.status == EnrolmentStatus.CONFIRMED:
        return EnrolmentConfirmed.model_validate(common)
    if position is None:
        line = await uow.enrolments.list_all(
            session_id=locked.id, statuses=[EnrolmentStatus.WAITLISTED]
        )
        position = next((i for i, e in enumerate(line, start=1) if e.id == enrolment.id), 1)
    return EnrolmentWaitlisted.model_validate({**common, "position": position})


async def enrol(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    locked: SessionRecord,
    period: PeriodRecord,
    person: Person,
    clock: Clock,
    origin: str = "rules",
) -> EnrolmentRecord | None:
    """Give `person` a seat in the locked session, or a place in line; None if already in."""
    email = person.email.lower()
    if await uow.enrolments.find_live(session_id=locked.id, email=email):
        return None
    counts = (await uow.enrolments.count_seats(session_ids=[locked.id]))[locked.id]
    status = seat_status(capacity=locked.capacity, confirmed=counts["confirmed"])
    previous = await uow.enrolments.latest(session_id=locked.id, email=email)
    locked.enrolment_counter += 1
    now = clock.now()
    enrolment = uow.enrolments.create(
        session_id=locked.id,
        person=replace(person, email=email),
        status=status,
        queue_no=locked.enrolment_counter,
        now=now,
        origin=origin,
        # The person's entry of this session stays one entry: same UID, next SEQUENCE.
        calendar_uid=None if previous is None else calendar_uid(previous),
        calendar_sequence=0 if previous is None else previous.calendar_sequence + 1,
    )
    await uow.flush()
    if status == "confirmed":
        await plan_reminders(
            uow, policy, enrolment=enrolment, starts_at=locked.starts_at, clock=clock
        )
    uow.emit(
        await invitation(
            uow,
            policy,
            enrolment=enrolment,
            locked=locked,
            period=period,
            clock=clock,
            position=counts["waitlisted"] + 1,
        )
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
    if not waiting:
        return []
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
        enrolment.calendar_sequence += 1  # tentative → confirmed: the entry shows it
        enrolment.updated_at = clock.now()
        await plan_reminders(
            uow, policy, enrolment=enrolment, starts_at=locked.starts_at, clock=clock
        )
        uow.emit(
            EnrolmentPromoted(
                enrolment_id=enrolment.id,
                participant=participant(enrolment),
                session=session_info(locked, period),
                feed_url=await feed_url(
                    uow,
                    policy,
                    registration_id=enrolment.registration_id,
                    email=enrolment.email,
                    clock=clock,
                ),
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
    promote: bool = True,
) -> bool:
    """Cancel a live enrolment (a per-person CANCEL: SEQUENCE +1), free its seat and, unless
    the caller promotes later itself, give it to the first in line."""
    if enrolment.status not in LIVE:
        return False
    had_seat = enrolment.status == EnrolmentStatus.CONFIRMED
    seat = "confirmed" if had_seat else "waiting"
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancel_reason = reason
    enrolment.calendar_sequence += 1
    enrolment.updated_at = clock.now()
    await drop_reminders(uow, enrolment_ids=[enrolment.id])
    uow.emit(
        EnrolmentCancelled(
            enrolment_id=enrolment.id,
            participant=participant(enrolment, seat=seat),
            session=session_info(locked, period),
            reason=reason,
        )
    )
    await uow.flush()
    if had_seat and promote:
        await fill_free_seats(uow, policy, locked=locked, period=period, clock=clock)
    return True
