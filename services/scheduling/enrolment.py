"""Use cases of enrolment: registrations seated in their period's sessions (R2), seats managed
by organisations and staff, and the read model of registrations."""

from __future__ import annotations

import uuid

from services.scheduling import repository, seats
from services.scheduling.domain import participants
from services.scheduling.enrolment_rules import SessionChoice, sessions_for
from services.scheduling.models import Enrolment, KnownRegistration, Period
from services.scheduling.models import Session as SessionRow
from services.scheduling.policy import Policy
from shared.contracts.common import Contact
from shared.contracts.registration import (
    RegistrationEvent,
    RegistrationMoved,
    RegistrationSubmitted,
)
from shared.events import Envelope, EventPayload
from shared.messaging.inbox import Handler
from shared.types import utcnow
from shared.uow import UnitOfWork

SEATED_STATES = ("accepted", "moved")


def _choice(row: SessionRow) -> SessionChoice:
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
    uow: UnitOfWork, policy: Policy, *, registration: KnownRegistration, period: Period
) -> list[Enrolment]:
    """R2: enrol each participating contact in the period's preparation event and in the
    trainings for its service and domain, in their language; idempotent."""
    if period.status != "published" or registration.service is None:
        return []
    rows = await repository.list_sessions(
        uow.session, period_ids=[period.id], statuses=["scheduled"]
    )
    now = utcnow()
    upcoming = [r for r in rows if r.starts_at > now]
    choices = [_choice(r) for r in upcoming]
    wanted: dict[uuid.UUID, list[seats.Person]] = {}
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
                seats.Person(
                    registration_id=registration.registration_id,
                    business_id=registration.business_id,
                    name=known.name,
                    email=str(known.email),
                    language=known.language,
                    role=known.role,
                )
            )
    made: list[Enrolment] = []
    for session_id in sorted(wanted):  # one lock order for every transaction: no deadlock
        locked = await repository.get_session(uow.session, session_id=session_id, lock=True)
        assert locked is not None
        for person in wanted[session_id]:
            if await repository.was_removed(
                uow.session, session_id=session_id, email=person.email.lower()
            ):
                continue  # a person taken out on purpose is not seated again automatically
            enrolment = await seats.enrol(uow, policy, locked=locked, period=period, person=person)
            if enrolment is not None:
                made.append(enrolment)
    return made


async def seat_period_registrations(uow: UnitOfWork, policy: Policy, *, period: Period) -> None:
    """Sessions appeared: seat the registrations accepted for the period before they did."""
    for registration in await repository.list_accepted_registrations(
        uow.session, year=period.year, number=period.number
    ):
        await seat_registration(uow, policy, registration=registration, period=period)


async def refill(uow: UnitOfWork, policy: Policy, *, locked: SessionRow, period: Period) -> None:
    """Seats may have been added: promote from the waiting list."""
    await seats.fill_free_seats(uow, policy, locked=locked, period=period)


async def free_registration(
    uow: UnitOfWork,
    policy: Policy,
    *,
    registration_id: uuid.UUID,
    reason: str,
    keep_period_id: uuid.UUID | None = None,
) -> None:
    """Cancel the registration's live enrolments (except in `keep_period_id`); promote others."""
    live = await repository.list_enrolments(
        uow.session, registration_id=registration_id, statuses=repository.LIVE
    )
    for session_id in sorted({e.session_id for e in live}):
        locked = await repository.get_session(uow.session, session_id=session_id, lock=True)
        assert locked is not None
        if locked.period_id == keep_period_id:
            continue
        period = await repository.get_period(uow.session, period_id=locked.period_id)
        assert period is not None
        for e in live:
            if e.session_id == session_id:
                fresh = await repository.get_enrolment(uow.session, enrolment_id=e.id)
                assert fresh is not None
                await seats.cancel(
                    uow, policy, locked=locked, period=period, enrolment=fresh, reason=reason
                )


def _snapshot(
    registration: KnownRegistration | None, payload: RegistrationEvent
) -> KnownRegistration:
    now = utcnow()
    row = registration or KnownRegistration(
        registration_id=payload.registration_id,
        organisation_name=payload.organisation.name,
        business_id=payload.organisation.business_id,
        participants=[],
        submitted_at=getattr(payload, "submitted_at", now),
        received_at=now,
    )
    row.organisation_name = payload.organisation.name
    row.business_id = payload.organisation.business_id
    row.participants = [c.model_dump(mode="json") for c in participants(payload.contacts)]
    row.state = payload.state
    row.period_year, row.period_number = payload.period.year, payload.period.number
    row.service, row.domain = payload.service, payload.organisation.domain
    return row


async def _lock_sessions_of_move(
    uow: UnitOfWork, *, registration_id: uuid.UUID, to: Period | None
) -> None:
    """Lock the old and new sessions together in one order, as every writer does."""
    live = await repository.list_enrolments(
        uow.session, registration_id=registration_id, statuses=repository.LIVE
    )
    ids = {e.session_id for e in live}
    if to is not None:
        rows = await repository.list_sessions(uow.session, period_ids=[to.id])
        ids |= {r.id for r in rows}
    for session_id in sorted(ids):
        await repository.get_session(uow.session, session_id=session_id, lock=True)


def registration_handler(policy: Policy) -> Handler:
    """The consumer's handler of every `registration.*` event this service takes."""

    async def handle(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        assert isinstance(payload, RegistrationEvent)
        await apply_registration_event(uow, policy, payload=payload)

    return handle


async def apply_registration_event(
    uow: UnitOfWork, policy: Policy, *, payload: RegistrationEvent
) -> None:
    """Keep the read model; seat accepted registrations, free withdrawn or moved ones."""
    existing = await repository.get_known_registration(
        uow.session, registration_id=payload.registration_id
    )
    if isinstance(payload, RegistrationSubmitted) and existing is not None:
        return  # the submission is old news once later events have been seen
    row = _snapshot(existing, payload)
    repository.add_known_registration(uow.session, registration=row)
    await uow.session.flush()
    if payload.event_type == "registration.withdrawn":
        await free_registration(
            uow, policy, registration_id=row.registration_id, reason="registration_withdrawn"
        )
    elif payload.state in SEATED_STATES or isinstance(payload, RegistrationMoved):
        # The period's lock orders this against a concurrent publish: whichever commits
        # second sees the other's work (the registration, or the published sessions).
        period = await repository.find_period(
            uow.session, year=payload.period.year, number=payload.period.number, lock=True
        )
        if isinstance(payload, RegistrationMoved):
            await _lock_sessions_of_move(uow, registration_id=row.registration_id, to=period)
            await free_registration(
                uow,
                policy,
                registration_id=row.registration_id,
                reason="registration_moved",
                keep_period_id=period.id if period is not None else None,
            )
        if period is not None and row.state in SEATED_STATES:
            await seat_registration(uow, policy, registration=row, period=period)
