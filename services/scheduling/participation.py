"""Use cases around seats: organisations see and cancel their own participants' enrolments;
staff list, add, move and remove the participants of any session."""

from __future__ import annotations

import uuid

from services.scheduling import repository, seats
from services.scheduling.models import Enrolment
from services.scheduling.policy import Policy
from services.scheduling.schemas import (
    EnrolmentPublic,
    KnownRegistrationPublic,
    ParticipantAdd,
    ParticipantPublic,
)
from services.scheduling.snapshots import enrolment_public
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork


def _enrolment_missing(enrolment_id: uuid.UUID) -> NotFound:
    return NotFound(f"No enrolment {enrolment_id}.", code="enrolment_not_found")


async def _publics(uow: UnitOfWork, enrolments: list[Enrolment]) -> list[EnrolmentPublic]:
    """Enrolments with the waiting-list position of those waiting (1 is next in line)."""
    positions: dict[uuid.UUID, int] = {}
    for session_id in {e.session_id for e in enrolments if e.status == "waitlisted"}:
        line = await repository.list_enrolments(
            uow.session, session_id=session_id, statuses=["waitlisted"]
        )
        positions.update({e.id: index for index, e in enumerate(line, start=1)})
    return [enrolment_public(e, position=positions.get(e.id)) for e in enrolments]


async def list_enrolments(
    uow: UnitOfWork,
    caller: Principal,
    *,
    session_id: uuid.UUID | None = None,
    registration_id: uuid.UUID | None = None,
) -> list[EnrolmentPublic]:
    """Enrolments the caller may see: staff all, an organisation its own business ID's."""
    async with uow:
        rows = await repository.list_enrolments(
            uow.session,
            session_id=session_id,
            registration_id=registration_id,
            business_id=None if caller.is_staff else caller.business_id,
        )
        return await _publics(uow, rows)


async def list_participants(session_id: uuid.UUID, uow: UnitOfWork) -> list[EnrolmentPublic]:
    """Staff: everyone confirmed or waiting in one session, in enrolment order."""
    async with uow:
        if await repository.get_session(uow.session, session_id=session_id) is None:
            raise NotFound(f"No session {session_id}.", code="session_not_found")
        rows = await repository.list_enrolments(
            uow.session, session_id=session_id, statuses=repository.LIVE
        )
        return await _publics(uow, rows)


async def cancel_enrolment(
    enrolment_id: uuid.UUID,
    uow: UnitOfWork,
    policy: Policy,
    caller: Principal,
    *,
    session_id: uuid.UUID | None = None,
) -> EnrolmentPublic:
    """Cancel one enrolment (an organisation only its own: 404 otherwise); the seat is freed."""
    async with uow:
        found = await repository.get_enrolment(uow.session, enrolment_id=enrolment_id)
        if (
            found is None
            or not caller.may_see(found.business_id)
            or session_id not in (None, found.session_id)
        ):
            raise _enrolment_missing(enrolment_id)
        locked = await repository.get_session(uow.session, session_id=found.session_id, lock=True)
        assert locked is not None
        period = await repository.get_period(uow.session, period_id=locked.period_id)
        enrolment = await repository.get_enrolment(uow.session, enrolment_id=enrolment_id)
        assert period is not None and enrolment is not None
        if enrolment.status == "cancelled":
            raise Conflict("The enrolment is cancelled already.", code="enrolment_cancelled")
        reason = "cancelled_by_staff" if caller.is_staff else "cancelled_by_organisation"
        await seats.cancel(
            uow, policy, locked=locked, period=period, enrolment=enrolment, reason=reason
        )
        await uow.commit()
        return (await _publics(uow, [enrolment]))[0]


async def add_participant(
    session_id: uuid.UUID, cmd: ParticipantAdd, uow: UnitOfWork, policy: Policy
) -> EnrolmentPublic:
    """Staff: seat a contact of a known registration (waiting list when the session is full)."""
    async with uow:
        registration = await repository.get_known_registration(
            uow.session, registration_id=cmd.registration_id
        )
        if registration is None:
            raise NotFound(
                f"Scheduling has no registration {cmd.registration_id}.",
                code="registration_not_found",
                field="registration_id",
            )
        enrolment = await _enrol(
            uow,
            policy,
            session_id=session_id,
            person=seats.Person(
                registration_id=registration.registration_id,
                business_id=registration.business_id,
                name=cmd.name,
                email=str(cmd.email),
                language=cmd.language,
                role=cmd.role,
            ),
        )
        await uow.commit()
        return (await _publics(uow, [enrolment]))[0]


async def _enrol(
    uow: UnitOfWork, policy: Policy, *, session_id: uuid.UUID, person: seats.Person
) -> Enrolment:
    locked = await repository.get_session(uow.session, session_id=session_id, lock=True)
    if locked is None:
        raise NotFound(f"No session {session_id}.", code="session_not_found")
    if locked.status != "scheduled":
        raise Conflict(
            f"The session is {locked.status}; participants join published sessions only.",
            code="session_not_open",
        )
    period = await repository.get_period(uow.session, period_id=locked.period_id)
    assert period is not None
    enrolment = await seats.enrol(uow, policy, locked=locked, period=period, person=person)
    if enrolment is None:
        raise Conflict(
            f"{person.email} is in this session already.",
            code="already_enrolled",
            field="email",
        )
    return enrolment


async def move_enrolment(
    enrolment_id: uuid.UUID, target_id: uuid.UUID, uow: UnitOfWork, policy: Policy
) -> EnrolmentPublic:
    """Staff: move a participant to another session (its seat is freed, the new one taken)."""
    async with uow:
        found = await repository.get_enrolment(uow.session, enrolment_id=enrolment_id)
        if found is None:
            raise _enrolment_missing(enrolment_id)
        if found.status == "cancelled":
            raise Conflict("The enrolment is cancelled already.", code="enrolment_cancelled")
        if found.session_id == target_id:
            raise Conflict("The participant is in that session already.", code="already_enrolled")
        # Both sessions locked in one order, as every other transaction takes them.
        for session_id in sorted((found.session_id, target_id)):
            await repository.get_session(uow.session, session_id=session_id, lock=True)
        person = seats.Person(
            registration_id=found.registration_id,
            business_id=found.business_id,
            name=found.name,
            email=found.email,
            language=found.language,
            role=found.role,
        )
        moved = await _enrol(uow, policy, session_id=target_id, person=person)
        old = await repository.get_session(uow.session, session_id=found.session_id)
        assert old is not None
        period = await repository.get_period(uow.session, period_id=old.period_id)
        assert period is not None
        await seats.cancel(uow, policy, locked=old, period=period, enrolment=found, reason="moved")
        await uow.commit()
        return (await _publics(uow, [moved]))[0]


async def get_known_registration(
    registration_id: uuid.UUID, uow: UnitOfWork, caller: Principal
) -> KnownRegistrationPublic:
    """What scheduling knows of one registration: staff all, an organisation its own (404)."""
    async with uow:
        row = await repository.get_known_registration(uow.session, registration_id=registration_id)
    if row is None or not caller.may_see(row.business_id):
        raise NotFound(
            f"Scheduling has no registration {registration_id} (yet).",
            code="registration_not_found",
        )
    return KnownRegistrationPublic(
        registration_id=row.registration_id,
        organisation_name=row.organisation_name,
        business_id=row.business_id,
        state=row.state,
        participants=[ParticipantPublic.model_validate(p) for p in row.participants],
        submitted_at=row.submitted_at,
        received_at=row.received_at,
    )
