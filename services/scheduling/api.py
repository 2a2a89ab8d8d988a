"""HTTP routes of the scheduling service."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.scheduling import handlers
from services.scheduling.models import KnownRegistrationPublic
from shared.app import UoW
from shared.http import Problem

router = APIRouter(prefix="/v1", tags=["registrations"])


@router.get(
    "/registrations/{registration_id}",
    response_model=KnownRegistrationPublic,
    summary="What scheduling knows of a registration",
    responses={
        404: {
            "model": Problem,
            "description": "Not known here (yet)",
            "content": {
                "application/problem+json": {
                    "example": {
                        "type": "https://kanta.example/problems/registration_not_found",
                        "title": "Not found",
                        "status": 404,
                        "code": "registration_not_found",
                        "detail": "Scheduling has no registration "
                        "3fa85f64-5717-4562-b3fc-2c963f66afa6 (yet).",
                    }
                }
            },
        }
    },
)
async def read_known_registration(registration_id: uuid.UUID, uow: UoW) -> KnownRegistrationPublic:
    """The registration's participants as learnt from `registration.submitted`."""
    return await handlers.get_known_registration(registration_id, uow)
