"""Use cases of the scheduling service."""

from __future__ import annotations

import uuid

from services.scheduling import repository
from services.scheduling.domain import participants
from services.scheduling.models import KnownRegistration, KnownRegistrationPublic, ParticipantPublic
from shared.errors import NotFound
from shared.events import Envelope, EventPayload
from shared.contracts.registration import RegistrationSubmitted
from shared.types import utcnow
from shared.uow import UnitOfWork


async def record_submitted_registration(
    uow: UnitOfWork, payload: EventPayload, envelope: Envelope
) -> None:
    """Keep what enrolment will need of a newly submitted registration."""
    assert isinstance(payload, RegistrationSubmitted)
    existing = await repository.get_known_registration(
        uow.session, registration_id=payload.registration_id
    )
    if existing is not None:
        return
    repository.add_known_registration(
        uow.session,
        registration=KnownRegistration(
            registration_id=payload.registration_id,
            organisation_name=payload.organisation_name,
            business_id=payload.business_id,
            participants=[c.model_dump(mode="json") for c in participants(payload.contacts)],
            submitted_at=payload.submitted_at,
            received_at=utcnow(),
        ),
    )


async def get_known_registration(
    registration_id: uuid.UUID, uow: UnitOfWork
) -> KnownRegistrationPublic:
    """What scheduling knows of one registration, or NotFound."""
    async with uow:
        row = await repository.get_known_registration(uow.session, registration_id=registration_id)
    if row is None:
        raise NotFound(
            f"Scheduling has no registration {registration_id} (yet).",
            code="registration_not_found",
        )
    return KnownRegistrationPublic(
        registration_id=row.registration_id,
        organisation_name=row.organisation_name,
        business_id=row.business_id,
        participants=[ParticipantPublic.model_validate(p) for p in row.participants],
        submitted_at=row.submitted_at,
        received_at=row.received_at,
    )
