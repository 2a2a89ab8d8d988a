"""The read model of registrations: kept from registration events, which seat or free them."""

from __future__ import annotations

import uuid

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import RegistrationRecord
from services.scheduling.app.schemas import KnownRegistrationPublic
from services.scheduling.app.seating import (
    free_registration,
    lock_sessions_of_move,
    seat_registration,
)
from services.scheduling.app.views import known_registration_public
from services.scheduling.domain import errors
from services.scheduling.domain.enrolment import participants
from services.scheduling.domain.states import SEATED_STATES
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.registration import (
    RegistrationEvent,
    RegistrationMoved,
    RegistrationSubmitted,
    RegistrationWithdrawn,
)


def _snapshot(
    uow: SchedulingUoW,
    registration: RegistrationRecord | None,
    payload: RegistrationEvent,
    *,
    clock: Clock,
) -> RegistrationRecord:
    """The read-model row brought up to the event's snapshot (a new row on first sight)."""
    now = clock.now()
    row = registration or uow.registrations.create(
        registration_id=payload.registration_id,
        organisation_name=payload.organisation.name,
        business_id=payload.organisation.business_id,
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


async def apply_registration_event(
    uow: SchedulingUoW, policy: Policy, *, payload: RegistrationEvent, clock: Clock
) -> None:
    """Keep the read model; seat accepted registrations, free withdrawn or moved ones."""
    existing = await uow.registrations.get(registration_id=payload.registration_id)
    if isinstance(payload, RegistrationSubmitted) and existing is not None:
        return  # the submission is old news once later events have been seen
    row = _snapshot(uow, existing, payload, clock=clock)
    await uow.flush()
    if isinstance(payload, RegistrationWithdrawn):
        await free_registration(
            uow,
            policy,
            registration_id=row.registration_id,
            reason="registration_withdrawn",
            clock=clock,
        )
    elif payload.state in SEATED_STATES or isinstance(payload, RegistrationMoved):
        # The period's lock orders this against a concurrent publish: whichever commits
        # second sees the other's work (the registration, or the published sessions).
        period = await uow.periods.find(
            year=payload.period.year, number=payload.period.number, lock=True
        )
        if isinstance(payload, RegistrationMoved):
            await lock_sessions_of_move(uow, registration_id=row.registration_id, to=period)
            await free_registration(
                uow,
                policy,
                registration_id=row.registration_id,
                reason="registration_moved",
                clock=clock,
                keep_period_id=period.id if period is not None else None,
            )
        if period is not None and row.state in SEATED_STATES:
            await seat_registration(uow, policy, registration=row, period=period, clock=clock)


async def get_known_registration(
    registration_id: uuid.UUID, uow: SchedulingUoW, caller: Principal
) -> KnownRegistrationPublic:
    """What scheduling knows of one registration: staff all, an organisation its own (404)."""
    async with uow:
        row = await uow.registrations.get(registration_id=registration_id)
    if row is None or not caller.may_see(row.business_id):
        raise errors.REGISTRATION_NOT_FOUND(
            f"Scheduling has no registration {registration_id} (yet)."
        )
    return known_registration_public(row)
