"""Seats: enrol, wait, promote, cancel. Every change holds the session's lock first.

The caller passes a session row fetched with `lock=True` (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers), so counting the confirmed seats
and taking one cannot interleave with another transaction: capacity is never exceeded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.scheduling import repository
from services.scheduling.enrolment_rules import Waiting, seat_status, to_promote
from services.scheduling.feeds import feed_url
from services.scheduling.models import Enrolment, Period
from services.scheduling.models import Session as SessionRow
from services.scheduling.policy import Policy
from services.scheduling.reminders import drop_reminders, plan_reminders
from services.scheduling.snapshots import participant, session_info
from shared.contracts.scheduling import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
)
from shared.types import utcnow
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class Person:
    """Who is enrolled, and for which registration."""

    registration_id: uuid.UUID
    business_id: str
    name: str
    email: str
    language: str
    role: str | None = None


async def enrol(
    uow: UnitOfWork, policy: Policy, *, locked: SessionRow, period: Period, person: Person
) -> Enrolment | None:
    """Give `person` a seat in the locked session, or a place in line; None if already in."""
    email = person.email.lower()
    if await repository.live_enrolment(uow.session, session_id=locked.id, email=email):
        return None
    counts = (await repository.seat_counts(uow.session, session_ids=[locked.id]))[locked.id]
    status = seat_status(capacity=locked.capacity, confirmed=counts["confirmed"])
    locked.enrolment_counter += 1
    now = utcnow()
    enrolment = Enrolment(
        session_id=locked.id,
        registration_id=person.registration_id,
        business_id=person.business_id,
        name=person.name,
        email=email,
        language=person.language,
        role=person.role,
        status=status,
        queue_no=locked.enrolment_counter,
        created_at=now,
        updated_at=now,
    )
    repository.add(uow.session, row=enrolment)
    repository.add(uow.session, row=locked)
    await uow.session.flush()
    common = {
        "enrolment_id": enrolment.id,
        "participant": participant(enrolment),
        "session": session_info(locked, period),
        "feed_url": await feed_url(uow, policy, email=email),
    }
    if status == "confirmed":
        await plan_reminders(uow, policy, enrolment=enrolment, starts_at=locked.starts_at)
        uow.emit(EnrolmentConfirmed.model_validate(common))
    else:
        uow.emit(
            EnrolmentWaitlisted.model_validate({**common, "position": counts["waitlisted"] + 1})
        )
    return enrolment


async def fill_free_seats(
    uow: UnitOfWork, policy: Policy, *, locked: SessionRow, period: Period
) -> list[Enrolment]:
    """Promote the first in line into every free seat of a scheduled session (R2)."""
    if locked.status != "scheduled":
        return []
    waiting = await repository.list_enrolments(
        uow.session, session_id=locked.id, statuses=["waitlisted"]
    )
    counts = (await repository.seat_counts(uow.session, session_ids=[locked.id]))[locked.id]
    chosen = set(
        to_promote(
            capacity=locked.capacity,
            confirmed=counts["confirmed"],
            waiting=[Waiting(enrolment_id=e.id, queue_no=e.queue_no) for e in waiting],
        )
    )
    promoted = [e for e in waiting if e.id in chosen]
    for enrolment in promoted:
        enrolment.status = "confirmed"
        enrolment.updated_at = utcnow()
        repository.add(uow.session, row=enrolment)
        await plan_reminders(uow, policy, enrolment=enrolment, starts_at=locked.starts_at)
        uow.emit(
            EnrolmentPromoted(
                enrolment_id=enrolment.id,
                participant=participant(enrolment),
                session=session_info(locked, period),
                feed_url=await feed_url(uow, policy, email=enrolment.email),
            )
        )
    return promoted


async def cancel(
    uow: UnitOfWork,
    policy: Policy,
    *,
    locked: SessionRow,
    period: Period,
    enrolment: Enrolment,
    reason: str,
) -> bool:
    """Cancel a live enrolment, free its seat and promote from the waiting list."""
    if enrolment.status not in repository.LIVE:
        return False
    had_seat = enrolment.status == "confirmed"
    enrolment.status = "cancelled"
    enrolment.cancel_reason = reason
    enrolment.updated_at = utcnow()
    repository.add(uow.session, row=enrolment)
    await drop_reminders(uow, enrolment_ids=[enrolment.id])
    uow.emit(
        EnrolmentCancelled(
            enrolment_id=enrolment.id,
            participant=participant(enrolment),
            session=session_info(locked, period),
            reason=reason,
        )
    )
    await uow.session.flush()
    if had_seat:
        await fill_free_seats(uow, policy, locked=locked, period=period)
    return True
