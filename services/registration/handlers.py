"""Use cases of the registration service: one verb-named function each."""

from __future__ import annotations

import logging
import uuid

from services.registration import repository
from services.registration.domain import RegistrationState
from services.registration.models import (
    ContactPublic,
    OrganisationPublic,
    Registration,
    RegistrationContact,
    RegistrationCreate,
    RegistrationPublic,
)
from shared.errors import NotFound
from shared.contracts.common import Contact
from shared.contracts.registration import RegistrationSubmitted
from shared.types import utcnow
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)


async def submit_registration(command: RegistrationCreate, uow: UnitOfWork) -> RegistrationPublic:
    """Store a new registration and emit `registration.submitted` in the same transaction."""
    now = utcnow()
    registration = Registration(
        organisation_name=command.organisation.name,
        business_id=command.organisation.business_id,
        state=RegistrationState.SUBMITTED,
        submitted_at=now,
        updated_at=now,
    )
    contacts = [
        RegistrationContact(
            registration_id=registration.id,
            position=index,
            name=contact.name,
            email=str(contact.email),
            language=contact.language,
        )
        for index, contact in enumerate(command.contacts)
    ]
    async with uow:
        repository.add_registration(uow.session, registration=registration, contacts=contacts)
        uow.emit(
            RegistrationSubmitted(
                registration_id=registration.id,
                organisation_name=registration.organisation_name,
                business_id=registration.business_id,
                contacts=[
                    Contact(name=c.name, email=c.email, language=c.language) for c in contacts
                ],
                submitted_at=now,
            )
        )
        await uow.commit()
    log.info(
        "registration submitted",
        extra={"registration_id": str(registration.id), "contacts": len(contacts)},
    )
    return _public(registration, contacts)


async def get_registration(registration_id: uuid.UUID, uow: UnitOfWork) -> RegistrationPublic:
    """One registration, or NotFound."""
    async with uow:
        found = await repository.get_registration(uow.session, registration_id=registration_id)
    if found is None:
        raise NotFound(f"No registration {registration_id}.", code="registration_not_found")
    return _public(*found)


def _public(registration: Registration, contacts: list[RegistrationContact]) -> RegistrationPublic:
    return RegistrationPublic(
        id=registration.id,
        state=RegistrationState(registration.state),
        organisation=OrganisationPublic(
            name=registration.organisation_name, business_id=registration.business_id
        ),
        contacts=[ContactPublic(name=c.name, email=c.email, language=c.language) for c in contacts],
        submitted_at=registration.submitted_at,
    )
