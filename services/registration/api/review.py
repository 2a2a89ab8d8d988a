"""HTTP routes of the lifecycle: staff review, move, deployment; the organisation's withdrawal."""

from __future__ import annotations

from fastapi import APIRouter

from services.registration.api.deps import ClockDep, RegistrationId, Settings, UoW
from services.registration.app import review
from services.registration.app.schemas.registrations import (
    DeployBody,
    MoveBody,
    RegistrationPublic,
    RejectBody,
    ReturnBody,
)
from services.registration.domain import errors
from services.registration.domain.errors import READ, STAFF_ACTION
from shared.auth import OrganisationCaller, StaffCaller
from shared.openapi import problem_responses
from shared.problems import ORGANISATION_ONLY

router = APIRouter(prefix="/v1", tags=["registrations"])


@router.post(
    "/registrations/{registration_id}/accept",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Accept a submitted registration (staff)",
    responses=problem_responses(*STAFF_ACTION),
)
async def accept(
    registration_id: RegistrationId, uow: UoW, caller: StaffCaller, clock: ClockDep
) -> RegistrationPublic:
    return await review.accept_registration(registration_id, uow, caller=caller, clock=clock)


@router.post(
    "/registrations/{registration_id}/reject",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Reject a submitted registration, saying why (staff)",
    responses=problem_responses(*STAFF_ACTION),
)
async def reject(
    registration_id: RegistrationId,
    body: RejectBody,
    uow: UoW,
    caller: StaffCaller,
    clock: ClockDep,
) -> RegistrationPublic:
    return await review.reject_registration(
        registration_id, body.reason, uow, caller=caller, clock=clock
    )


@router.post(
    "/registrations/{registration_id}/return",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Return a submitted registration for changes (staff)",
    responses=problem_responses(*STAFF_ACTION),
)
async def return_for_changes(
    registration_id: RegistrationId,
    body: ReturnBody,
    uow: UoW,
    caller: StaffCaller,
    clock: ClockDep,
) -> RegistrationPublic:
    return await review.return_registration(
        registration_id, body.changes_requested, uow, caller=caller, clock=clock
    )


@router.post(
    "/registrations/{registration_id}/move",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Move an accepted registration to another open period (staff)",
    responses=problem_responses(
        *STAFF_ACTION,
        errors.SAME_PERIOD,
        errors.PERIOD_NOT_OPEN,
        errors.PRODUCTION_AFTER_PERIOD,
        errors.DUPLICATE_REGISTRATION,
    ),
)
async def move(
    registration_id: RegistrationId, body: MoveBody, uow: UoW, caller: StaffCaller, clock: ClockDep
) -> RegistrationPublic:
    return await review.move_registration(
        registration_id, body.period, body.note, uow, caller=caller, clock=clock
    )


@router.post(
    "/registrations/{registration_id}/deploy",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Record that production use started (staff)",
    responses=problem_responses(
        *STAFF_ACTION, errors.DATE_IN_FUTURE, errors.DATE_OUT_OF_RANGE, errors.CHECKLIST_INCOMPLETE
    ),
)
async def deploy(
    registration_id: RegistrationId,
    body: DeployBody,
    uow: UoW,
    caller: StaffCaller,
    clock: ClockDep,
    settings: Settings,
) -> RegistrationPublic:
    """R8: a first deployment needs its customership checklist complete."""
    return await review.deploy_registration(
        registration_id, body.deployed_on, uow, caller=caller, clock=clock, settings=settings
    )


@router.post(
    "/registrations/{registration_id}/complete",
    response_model=RegistrationPublic,
    tags=["review"],
    summary="Close a deployed registration (staff)",
    responses=problem_responses(*STAFF_ACTION),
)
async def complete(
    registration_id: RegistrationId, uow: UoW, caller: StaffCaller, clock: ClockDep
) -> RegistrationPublic:
    return await review.complete_registration(registration_id, uow, caller=caller, clock=clock)


@router.post(
    "/registrations/{registration_id}/withdraw",
    response_model=RegistrationPublic,
    summary="Withdraw an open registration (the organisation)",
    responses=problem_responses(*READ, ORGANISATION_ONLY, errors.INVALID_TRANSITION),
)
async def withdraw(
    registration_id: RegistrationId, uow: UoW, caller: OrganisationCaller, clock: ClockDep
) -> RegistrationPublic:
    return await review.withdraw_registration(registration_id, uow, caller=caller, clock=clock)
