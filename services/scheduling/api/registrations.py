"""HTTP route of what scheduling knows of a registration (from registration events)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.scheduling.api.deps import AUTH, Caller, UoW
from services.scheduling.app import registrations
from services.scheduling.app.schemas import KnownRegistrationPublic
from services.scheduling.domain import errors
from shared.openapi import problem_responses

router = APIRouter(prefix="/v1", tags=["registrations"])


@router.get(
    "/registrations/{registration_id}",
    response_model=KnownRegistrationPublic,
    summary="What scheduling knows of a registration",
    responses=problem_responses(*AUTH, errors.REGISTRATION_NOT_FOUND),
)
async def read_known_registration(
    registration_id: uuid.UUID, uow: UoW, caller: Caller
) -> KnownRegistrationPublic:
    """The registration's participants as learnt from events (staff: any; an organisation:
    its own business ID's; 404 otherwise)."""
    return await registrations.get_known_registration(registration_id, uow, caller)
