"""Use cases around seats: organisations see and cancel their own participants' enrolments;
staff list, add, move and remove the participants of any session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.scheduling.app import seats
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.reconcile import holds_seats_in
from services.scheduling.app.records import EnrolmentRecord
from services.scheduling.app.schemas import EnrolmentPublic, ParticipantAdd
from services.scheduling.app.views import enrolment_public
from services.scheduling.domain import errors
from services.scheduling.domain.enrolment import Person
from services.scheduling.domain.states import LIVE, EnrolmentStatus, SessionStatus
from shared.auth import Principal
from shared.clock import Clock


async def _publics(
    uow: SchedulingUoW, enrolments: Sequence[EnrolmentRecord]
) -> list[EnrolmentPublic]:
    """Enrolments with the waiting-list position of those waiting (1 is next in line)."""
    positions: dict[uuid.UUID, int] = {}
    waiting = {e.session_id for e in enrolments if e.status == EnrolmentStatus.WAITLISTED}
    for session_id in waiting:
        line = await uow.enrolments.list_all(
            session_id=session_id, statuses=[EnrolmentStatus.WAITLISTED]
        )
        positions.update({e.id: index for index, e in enumerate(line, start=1)})
    return [enrolment_public(e, position=positions.get(e.id)) for e in enrolments]


async def list_enrolments(
    uow: SchedulingUoW,
    caller: Principal,
    *,
    session_id: uuid.UUID | None = None,
    registration_id: uuid.UUID | None = None,
) -> list[EnrolmentPublic]:
    """Enrolments the caller may see: staff all, an organisation its own business ID's."""
    async with uow:
        rows = await uow.enrolments.list_all(
            session_id=session_id,
            registration_id=registration_id,
            business_id=None if caller.is_staff else caller.business_id,
        )
        return await _publics(uow, rows)


async def list_participants(session_id: uuid.UUID, uow: SchedulingUoW) -> list[EnrolmentPublic]:
    """Staff: everyone confirmed or waiting in one session, in enrolment order; of a
    cancelled session, those its cancellation affected (their enrolments as cancelled)."""
    async with uow:
        row = await uow.sessions.get(session_id=session_id)
        if row is None:
            raise errors.SESSION_NOT_FOUND(f"No session {session_id}.")
        if row.status == SessionStatus.CANCELLED:
            rows = await uow.enrolments.list_all(
                session_id=session_id, cancel_reasons=["session_cancelled"]
            )
        else:
            rows = await uow.enrolments.list_all(session_id=session_id, statuses=LIVE)
        return await _publics(uow, rows)


async def cancel_enrolment(
    enrolment_id: uuid.UUID,
    uow: SchedulingUoW,
    policy: Policy,
    caller: Principal,
    *,
    clock: Clock,
    session_id: uuid.UUID | None = None,
) -> EnrolmentPublic:
    """Cancel one enrolment (an organisation only its own: 404 otherwise); the seat is freed."""
    async with uow:
        found = await uow.enrolments.get(enrolment_id=enrolment_id)
        if (
            found is None
            or not caller.may_see(found.business_id)
            or session_id not in (None, found.session_id)
        ):
            raise errors.ENROLMENT_NOT_FOUND(f"No enrolment {enrolment_id}.")
        locked = await uow.sessions.get(session_id=found.session_id, lock=True)
        assert locked is not None
        period = await uow.periods.get(period_id=locked.period_id)
        enrolment = await uow.enrolments.get(enrolment_id=enrolment_id)
        assert period is not None and enrolment is not None
        if enrolment.status == EnrolmentStatus.CANCELLED:
            raise errors.ENROLMENT_CANCELLED("The enrolment is cancelled already.")
        reason = "cancelled_by_staff" if caller.is_staff else "cancelled_by_organisation"
        await seats.cancel(
            uow,
            policy,
            locked=locked,
            period=period,
            enrolment=enrolment,
            reason=reason,
            clock=clock,
        )
        await uow.commit()
        return (await _publics(uow, [enrolment]))[0]


async def add_participant(
    session_id: uuid.UUID,
    cmd: ParticipantAdd,
    uow: SchedulingUoW,
    policy: Policy,
    *,
    clock: Clock,
) -> EnrolmentPublic:
    """Staff: seat a contact of a known registration (waiting list when the session is full)."""
    async with uow:
        registration = await uow.registrations.get(registration_id=cmd.registration_id)
        if registration is None:
            raise errors.REGISTRATION_NOT_FOUND(
                f"Scheduling has no registration {cmd.registration_id}.", field="registration_id"
            )
        person = Person(
            registration_id=registration.registration_id,
            business_id=registration.business_id,
            name=cmd.name,
            email=str(cmd.email),
            language=cmd.language,
            role=cmd.role,
        )
        enrolment = await _enrol(
            uow, policy, session_id=session_id, person=person, clock=clock, origin="added"
        )
        await uow.commit()
        return (await _publics(uow, [enrolment]))[0]


async def _enrol(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    session_id: uuid.UUID,
    person: Person,
    clock: Clock,
    origin: str,
) -> EnrolmentRecord:
    locked = await uow.sessions.get(session_id=session_id, lock=True)
    if locked is None:
        raise errors.SESSION_NOT_FOUND(f"No session {session_id}.")
    if locked.status != SessionStatus.SCHEDULED:
        raise errors.SESSION_NOT_OPEN(
            f"The session is {locked.status}; participants join published sessions only."
        )
    period = await uow.periods.get(period_id=locked.period_id)
    assert period is not None
    # R2: seats belong to registrations accepted (or moved) into the session's period; the
    # reconcile step would take any other seat away again.
    registration = await uow.registrations.get(registration_id=person.registration_id)
    if registration is not None and not holds_seats_in(registration, period):
        raise errors.REGISTRATION_NOT_SEATED(
            f"Registration {registration.registration_id} holds no seats in period "
            f"{period.number}/{period.year} (it is {registration.state}"
            + (
                ""
                if (registration.period_year, registration.period_number)
                == (period.year, period.number)
                else f", for period {registration.period_number}/{registration.period_year}"
            )
            + ")."
        )
    enrolment = await seats.enrol(
        uow, policy, locked=locked, period=period, person=person, clock=clock, origin=origin
    )
    if enrolment is None:
        raise errors.ALREADY_ENROLLED(f"{person.email} is in this session already.", field="email")
    return enrolment


async def move_enrolment(
    enrolment_id: uuid.UUID,
    target_id: uuid.UUID,
    uow: SchedulingUoW,
    policy: Policy,
    *,
    clock: Clock,
) -> EnrolmentPublic:
    """Staff: move a participant to another session (its seat is freed, the new one taken).

    Both sessions are locked (in id order, as every writer takes them) before the enrolment
    is read again and checked: of two moves of one enrolment at once, the second finds it
    cancelled (409) instead of seating the person twice.
    """
    async with uow:
        seen = await uow.enrolments.get(enrolment_id=enrolment_id)
        if seen is None:
            raise errors.ENROLMENT_NOT_FOUND(f"No enrolment {enrolment_id}.")
        if seen.session_id == target_id:
            raise errors.ALREADY_ENROLLED("The participant is in that session already.")
        for session_id in sorted((seen.session_id, target_id)):
            await uow.sessions.get(session_id=session_id, lock=True)
        found = await uow.enrolments.get(enrolment_id=enrolment_id)  # afresh, under the locks
        assert found is not None
        if found.status == EnrolmentStatus.CANCELLED:
            raise errors.ENROLMENT_CANCELLED("The enrolment is cancelled already.")
        person = Person(
            registration_id=found.registration_id,
            business_id=found.business_id,
            name=found.name,
            email=found.email,
            language=found.language,
            role=found.role,
        )
        origin = "added" if found.origin == "added" else "moved"
        moved = await _enrol(
            uow, policy, session_id=target_id, person=person, clock=clock, origin=origin
        )
        old = await uow.sessions.get(session_id=found.session_id)
        assert old is not None
        period = await uow.periods.get(period_id=old.period_id)
        assert period is not None
        await seats.cancel(
            uow, policy, locked=old, period=period, enrolment=found, reason="moved", clock=clock
        )
        await uow.commit()
        return (await _publics(uow, [moved]))[0]
