"""HTTP routes of enrolment: organisations their own participants, staff any session's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.scheduling import participation
from services.scheduling.deps import PolicyDep
from services.scheduling.openapi import AUTH, STAFF, problems
from services.scheduling.schemas import EnrolmentMove, EnrolmentPublic, ParticipantAdd
from shared.app import UoW
from shared.auth import Caller, StaffCaller

router = APIRouter(prefix="/v1", tags=["enrolment"])

ENROLMENT_404 = (404, "enrolment_not_found", "No enrolment 3fa85f64-5717-4562-b3fc-2c963f66afa6.")
SESSION_404 = (404, "session_not_found", "No session 3fa85f64-5717-4562-b3fc-2c963f66afa6.")
CANCELLED = (409, "enrolment_cancelled", "The enrolment is cancelled already.")
ALREADY = (409, "already_enrolled", "tekninen@example.fi is in this session already.", "email")


@router.get(
    "/enrolments",
    response_model=list[EnrolmentPublic],
    summary="Enrolments the caller may see",
    responses=problems(*AUTH),
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
    responses=problems(*AUTH, ENROLMENT_404, CANCELLED),
)
async def cancel_enrolment(
    enrolment_id: uuid.UUID, uow: UoW, policy: PolicyDep, caller: Caller
) -> EnrolmentPublic:
    """Frees the seat (the first in line is promoted); an organisation only its own."""
    return await participation.cancel_enrolment(enrolment_id, uow, policy, caller)


@router.get(
    "/sessions/{session_id}/participants",
    response_model=list[EnrolmentPublic],
    summary="Participants of a session (staff)",
    responses=problems(*STAFF, SESSION_404),
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
    responses=problems(
        *STAFF,
        SESSION_404,
        (
            404,
            "registration_not_found",
            "Scheduling has no registration 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
            "registration_id",
        ),
        ALREADY,
        (
            409,
            "session_not_open",
            "The session is draft; participants join published sessions only.",
        ),
    ),
)
async def add_participant(
    session_id: uuid.UUID, body: ParticipantAdd, uow: UoW, policy: PolicyDep, _: StaffCaller
) -> EnrolmentPublic:
    """A seat if one is free, else the waiting list (capacity is hard)."""
    return await participation.add_participant(session_id, body, uow, policy)


@router.delete(
    "/sessions/{session_id}/participants/{enrolment_id}",
    response_model=EnrolmentPublic,
    summary="Remove a participant (staff)",
    responses=problems(*STAFF, ENROLMENT_404, CANCELLED),
)
async def remove_participant(
    session_id: uuid.UUID, enrolment_id: uuid.UUID, uow: UoW, policy: PolicyDep, caller: StaffCaller
) -> EnrolmentPublic:
    """Cancels the enrolment; the first in line is promoted."""
    return await participation.cancel_enrolment(
        enrolment_id, uow, policy, caller, session_id=session_id
    )


@router.post(
    "/enrolments/{enrolment_id}/move",
    response_model=EnrolmentPublic,
    summary="Move a participant to another session (staff)",
    responses=problems(*STAFF, ENROLMENT_404, SESSION_404, CANCELLED, ALREADY),
)
async def move_enrolment(
    enrolment_id: uuid.UUID, body: EnrolmentMove, uow: UoW, policy: PolicyDep, _: StaffCaller
) -> EnrolmentPublic:
    """The old seat is freed (with promotion); the new session seats or waitlists them."""
    return await participation.move_enrolment(enrolment_id, body.session_id, uow, policy)
