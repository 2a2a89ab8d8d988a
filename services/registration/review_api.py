"""HTTP routes of the lifecycle: staff review, move, deployment; the organisation's withdrawal.

Included by `api.router` (under `/v1`).
"""

from __future__ import annotations

from fastapi import APIRouter

from services.registration import review
from services.registration.clock import finnish_today
from services.registration.problems import READ, STAFF_ACTION, problems
from services.registration.schemas import (
    DeployBody,
    MoveBody,
    RegistrationId,
    RegistrationPublic,
    RejectBody,
    ReturnBody,
)
from shared.app import UoW
from shared.auth import OrganisationCaller, StaffCaller

router = APIRouter()


@router.post(
    "/registrations/{registration_id}/accept",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Accept a submitted registration (staff)",
    responses=problems(*STAFF_ACTION),
)
async def accept(
    registration_id: RegistrationId, uow: UoW, caller: StaffCaller
) -> RegistrationPublic:
    return await review.accept_registration(registration_id, uow, caller=caller)


@router.post(
    "/registrations/{registration_id}/reject",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Reject a submitted registration, saying why (staff)",
    responses=problems(*STAFF_ACTION),
)
async def reject(
    registration_id: RegistrationId, body: RejectBody, uow: UoW, caller: StaffCaller
) -> RegistrationPublic:
    return await review.reject_registration(registration_id, body.reason, uow, caller=caller)


@router.post(
    "/registrations/{registration_id}/return",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Return a submitted registration for changes (staff)",
    responses=problems(*STAFF_ACTION),
)
async def return_for_changes(
    registration_id: RegistrationId, body: ReturnBody, uow: UoW, caller: StaffCaller
) -> RegistrationPublic:
    return await review.return_registration(
        registration_id, body.changes_requested, uow, caller=caller
    )


@router.post(
    "/registrations/{registration_id}/move",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Move an accepted registration to another open period (staff)",
    responses=problems(
        *STAFF_ACTION,
        "same_period",
        "period_not_open",
        "production_after_period",
        "duplicate_registration",
    ),
)
async def move(
    registration_id: RegistrationId, body: MoveBody, uow: UoW, caller: StaffCaller
) -> RegistrationPublic:
    return await review.move_registration(
        registration_id, body.period, body.note, uow, caller=caller, today=finnish_today()
    )


@router.post(
    "/registrations/{registration_id}/deploy",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Record that production use started (staff)",
    responses=problems(*STAFF_ACTION, "date_in_future"),
)
async def deploy(
    registration_id: RegistrationId, body: DeployBody, uow: UoW, caller: StaffCaller
) -> RegistrationPublic:
    return await review.deploy_registration(
        registration_id, body.deployed_on, uow, caller=caller, today=finnish_today()
    )


@router.post(
    "/registrations/{registration_id}/complete",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Close a deployed registration (staff)",
    responses=problems(*STAFF_ACTION),
)
async def complete(
    registration_id: RegistrationId, uow: UoW, caller: StaffCaller
) -> RegistrationPublic:
    return await review.complete_registration(registration_id, uow, caller=caller)


@router.post(
    "/registrations/{registration_id}/withdraw",
    response_model=RegistrationPublic,
    summary="Withdraw an open registration (the organisation)",
    responses=problems(*READ, "organisation_only", "invalid_transition"),
)
async def withdraw(
    registration_id: RegistrationId, uow: UoW, caller: OrganisationCaller
) -> RegistrationPublic:
    return await review.withdraw_registration(registration_id, uow, caller=caller)
