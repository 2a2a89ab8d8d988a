"""HTTP routes of enrolment: organisations their own participants, staff any session's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.scheduling.api.deps import AUTH, STAFF, Caller, ClockDep, PolicyDep, StaffCaller, UoW
from services.scheduling.app import participation
from services.scheduling.app.schemas import EnrolmentMove, EnrolmentPublic, ParticipantAdd
from services.scheduling.domain import errors
from shared.openapi import problem_responses

router = APIRouter(prefix="/v1", tags=["enrolment"])


@router.get(
    "/enrolments",
    response_model=list[EnrolmentPublic],
    summary="Enrolments the caller may see",
    responses=problem_responses(*AUTH),
)
async def list_enrolments(
    uow: UoW,
    caller: Caller,
    session_id: uuid.UUID | None = None,
    registration_id: uuid.UUID | None = None,
) -> list[EnrolmentPublic]:
    """An organisation sees its own participants' enrolments; staff see all."""
    return await participation.list_enrolments(
        uow, caller, session_id=session_id, registration_id=registration_id
    )


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response_model=EnrolmentPublic,
    summary="Cancel an enrolment",
    responses=problem_responses(*AUTH, errors.ENROLMENT_NOT_FOUND, errors.ENROLMENT_CANCELLED),
)
async def cancel_enrolment(
    enrolment_id: uuid.UUID, uow: UoW, policy: PolicyDep, clock: ClockDep, caller: Caller
) -> EnrolmentPublic:
    """Frees the seat (the first in line is promoted); an organisation only its own."""
    return await participation.cancel_enrolment(enrolment_id, uow, policy, caller, clock=clock)


@router.get(
    "/sessions/{session_id}/participants",
    response_model=list[EnrolmentPublic],
    summary="Participants of a session (staff)",
    responses=problem_responses(*STAFF, errors.SESSION_NOT_FOUND),
)
async def list_participants(
    session_id: uuid.UUID, uow: UoW, _: StaffCaller
) -> list[EnrolmentPublic]:
    """Confirmed and waiting participants, in enrolment order."""
    return await participation.list_participants(session_id, uow)


@router.post(
    "/sessions/{session_id}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentPublic,
    summary="Add a participant (staff)",
    responses=problem_responses(
        *STAFF,
        errors.SESSION_NOT_FOUND,
        errors.REGISTRATION_NOT_FOUND,
        errors.ALREADY_ENROLLED,
        errors.SESSION_NOT_OPEN,
        errors.REGISTRATION_NOT_SEATED,
    ),
)
async def add_participant(
    session_id: uuid.UUID,
    body: ParticipantAdd,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
) -> EnrolmentPublic:
    """A seat if one is free, else the waiting list (capacity is hard)."""
    return await participation.add_participant(session_id, body, uow, policy, clock=clock)


@router.delete(
    "/sessions/{session_id}/participants/{enrolment_id}",
    response_model=EnrolmentPublic,
    summary="Remove a participant (staff)",
    responses=problem_responses(*STAFF, errors.ENROLMENT_NOT_FOUND, errors.ENROLMENT_CANCELLED),
)
async def remove_participant(
    session_id: uuid.UUID,
    enrolment_id: uuid.UUID,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    caller: StaffCaller,
) -> EnrolmentPublic:
    """Cancels the enrolment; the first in line is promoted."""
    return await participation.cancel_enrolment(
        enrolment_id, uow, policy, caller, clock=clock, session_id=session_id
    )


@router.post(
    "/enrolments/{enrolment_id}/move",
    response_model=EnrolmentPublic,
    summary="Move a participant to another session (staff)",
    responses=problem_responses(
        *STAFF,
        errors.ENROLMENT_NOT_FOUND,
        errors.SESSION_NOT_FOUND,
        errors.ENROLMENT_CANCELLED,
        errors.ALREADY_ENROLLED,
        errors.SESSION_NOT_OPEN,
        errors.REGISTRATION_NOT_SEATED,
    ),
)
async def move_enrolment(
    enrolment_id: uuid.UUID,
    body: EnrolmentMove,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
) -> EnrolmentPublic:
    """The old seat is freed (with promotion); the new session seats or waitlists them."""
    return await participation.move_enrolment(
        enrolment_id, body.session_id, uow, policy, clock=clock
    )
