"""HTTP route of what scheduling knows of a registration (from registration events)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from services.scheduling.api.deps import AUTH, STAFF, Caller, ClockDep, PolicyDep, StaffCaller, UoW
from services.scheduling.app import feeds, registrations
from services.scheduling.app.schemas import FeedPublic, FeedRotate, KnownRegistrationPublic
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


@router.post(
    "/registrations/{registration_id}/feeds/rotate",
    response_model=FeedPublic,
    summary="Rotate a contact's calendar feed (staff)",
    responses=problem_responses(*STAFF, errors.REGISTRATION_NOT_FOUND, errors.FEED_CONTACT_UNKNOWN),
)
async def rotate_feed(
    registration_id: uuid.UUID,
    body: FeedRotate,
    uow: UoW,
    policy: PolicyDep,
    clock: ClockDep,
    _: StaffCaller,
) -> FeedPublic:
    """A new feed URL for one participating contact of the registration; the old one stops
    working at once. A feed shows that contact's entries of this registration only."""
    return await feeds.rotate_feed(registration_id, str(body.email), uow, policy, clock=clock)
