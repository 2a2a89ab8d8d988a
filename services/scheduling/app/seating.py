"""Registrations seated in their period's sessions (R2), and their seats freed again."""

from __future__ import annotations

import uuid

from services.scheduling.app import seats
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import (
    EnrolmentRecord,
    PeriodRecord,
    RegistrationRecord,
    SessionRecord,
)
from services.scheduling.domain.enrolment import Person, SessionChoice, sessions_for
from services.scheduling.domain.states import LIVE, PeriodStatus, SessionStatus
from shared.clock import Clock
from shared.contracts.common import Contact


def _choice(row: SessionRecord) -> SessionChoice:
    audience = row.audience

    def part(key: str) -> tuple[str, ...] | None:
        value = audience.get(key)
        return None if value is None else tuple(sorted(value))

    return SessionChoice(
        session_id=row.id,
        kind="preparation" if row.kind == "preparation" else "training",
        language=row.language,
        services=part("services"),
        domains=part("domains"),
        roles=part("roles"),
    )


async def seat_registration(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    registration: RegistrationRecord,
    period: PeriodRecord,
    clock: Clock,
) -> list[EnrolmentRecord]:
    """R2: enrol each participating contact in the period's preparation event and in the
    trainings for its service and domain, in their language; idempotent."""
    if period.status != PeriodStatus.PUBLISHED or registration.service is None:
        return []
    rows = await uow.sessions.list_all(period_ids=[period.id], statuses=[SessionStatus.SCHEDULED])
    now = clock.now()
    choices = [_choice(r) for r in rows if r.starts_at > now]
    wanted: dict[uuid.UUID, list[Person]] = {}
    for contact in registration.participants:
        known = Contact.model_validate(contact)
        for choice in sessions_for(
            choices,
            service=registration.service,
            domain=registration.domain or "",
            role=known.role,
            language=known.language,
        ):
            assert isinstance(choice.session_id, uuid.UUID)
            wanted.setdefault(choice.session_id, []).append(
                Person(
                    registration_id=registration.registration_id,
                    business_id=registration.business_id,
                    name=known.name,
                    email=str(known.email),
                    language=known.language,
                    role=known.role,
                )
            )
    made: list[EnrolmentRecord] = []
    for session_id in sorted(wanted):  # one lock order for every transaction: no deadlock
        locked = await uow.sessions.get(session_id=session_id, lock=True)
        assert locked is not None
        for person in wanted[session_id]:
            if await uow.enrolments.was_removed(session_id=session_id, email=person.email.lower()):
                continue  # a person taken out on purpose is not seated again automatically
            enrolment = await seats.enrol(
                uow, policy, locked=locked, period=period, person=person, clock=clock
            )
            if enrolment is not None:
                made.append(enrolment)
    return made


async def seat_period_registrations(
    uow: SchedulingUoW, policy: Policy, *, period: PeriodRecord, clock: Clock
) -> None:
    """Sessions appeared: seat the registrations accepted for the period before they did."""
    for registration in await uow.registrations.list_accepted(
        year=period.year, number=period.number
    ):
        await seat_registration(uow, policy, registration=registration, period=period, clock=clock)


async def free_registration(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    registration_id: uuid.UUID,
    reason: str,
    clock: Clock,
    keep_period_id: uuid.UUID | None = None,
) -> None:
    """Cancel the registration's live enrolments (except in `keep_period_id`); promote others."""
    live = await uow.enrolments.list_all(registration_id=registration_id, statuses=LIVE)
    for session_id in sorted({e.session_id for e in live}):
        locked = await uow.sessions.get(session_id=session_id, lock=True)
        assert locked is not None
        if locked.period_id == keep_period_id:
            continue
        period = await uow.periods.get(period_id=locked.period_id)
        assert period is not None
        for e in live:
            if e.session_id == session_id:
                fresh = await uow.enrolments.get(enrolment_id=e.id)
                assert fresh is not None
                await seats.cancel(
                    uow,
                    policy,
                    locked=locked,
                    period=period,
                    enrolment=fresh,
                    reason=reason,
                    clock=clock,
                )


async def lock_sessions_of_move(
    uow: SchedulingUoW, *, registration_id: uuid.UUID, to: PeriodRecord | None
) -> None:
    """Lock the old and new sessions together in one order, as every writer does."""
    live = await uow.enrolments.list_all(registration_id=registration_id, statuses=LIVE)
    ids = {e.session_id for e in live}
    if to is not None:
        ids |= {r.id for r in await uow.sessions.list_all(period_ids=[to.id])}
    for session_id in sorted(ids):
        await uow.sessions.get(session_id=session_id, lock=True)
