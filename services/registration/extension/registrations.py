"""What the extension of use needs from the registrations, in one place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from services.registration import review
from services.registration.models import Registration
from shared.auth import Principal
from shared.contracts.common import Contact
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class RegistrationView:
    id: uuid.UUID
    business_id: str
    organisation_name: str
    service: str
    state: str
    contacts: list[Contact] = field(default_factory=list)


async def load_registration(uow: UnitOfWork, registration_id: uuid.UUID) -> RegistrationView | None:
    row = await uow.session.get(Registration, registration_id)
    if row is None:
        return None
    return RegistrationView(
        id=row.id,
        business_id=row.business_id,
        organisation_name=row.organisation_name,
        service=row.service,
        state=row.state,
        contacts=[Contact.model_validate(contact) for contact in row.contacts],
    )


async def mark_deployed(
    uow: UnitOfWork, registration_id: uuid.UUID, deployed_on: date, principal: Principal
) -> None:
    """Move the registration to `deployed` (history, event) in the caller's transaction."""
    await review.deploy_in(uow, registration_id, deployed_on, caller=principal)
