"""HTTP routes of the registration service: thin, they call handlers and return models."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.registration import handlers
from services.registration.models import RegistrationCreate, RegistrationPublic
from shared.app import UoW
from shared.http import Problem

router = APIRouter(prefix="/v1", tags=["registrations"])

PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}


@router.post(
    "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationPublic,
    summary="Register for a deployment period",
    responses={
        422: {
            **PROBLEM,
            "description": "A field is invalid",
            "content": {
                "application/problem+json": {
                    "example": {
                        "type": "https://kanta.example/problems/validation_error",
                        "title": "Unprocessable content",
                        "status": 422,
                        "code": "validation_error",
                        "field": "organisation.business_id",
                        "detail": "The request has 1 invalid field: organisation.business_id: "
                        "Value error, 2077474-1 is not a valid business ID (Y-tunnus): "
                        "check digit is wrong",
                        "errors": [
                            {
                                "field": "organisation.business_id",
                                "message": "Value error, 2077474-1 is not a valid business ID "
                                "(Y-tunnus): check digit is wrong",
                                "type": "value_error",
                            }
                        ],
                    }
                }
            },
        }
    },
)
async def submit_registration(body: RegistrationCreate, uow: UoW) -> RegistrationPublic:
    """Submit a registration; its contacts receive a receipt by email."""
    return await handlers.submit_registration(body, uow)


@router.get(
    "/registrations/{registration_id}",
    response_model=RegistrationPublic,
    summary="Read one registration",
    responses={
        404: {
            **PROBLEM,
            "description": "No such registration",
            "content": {
                "application/problem+json": {
                    "example": {
                        "type": "https://kanta.example/problems/registration_not_found",
                        "title": "Not found",
                        "status": 404,
                        "code": "registration_not_found",
                        "detail": "No registration 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
                    }
                }
            },
        }
    },
)
async def read_registration(registration_id: uuid.UUID, uow: UoW) -> RegistrationPublic:
    """One registration by id."""
    return await handlers.get_registration(registration_id, uow)
