"""HTTP routes of the Kanta customership (R8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import StringConstraints

from services.registration.api.deps import ClockDep, Settings, UoW
from services.registration.app import customership
from services.registration.app.schemas.customerships import ChecklistSteps, CustomershipPublic
from services.registration.domain import errors
from shared.auth import Caller, StaffCaller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Limit
from shared.problems import STAFF_ONLY, VALIDATION_ERROR
from shared.text import SafeLine

BusinessIdParam = Annotated[
    SafeLine, StringConstraints(max_length=16), Path(description="The business ID (Y-tunnus).")
]

router = APIRouter(prefix="/v1", tags=["customership"])


@router.get(
    "/customerships",
    response_model=list[CustomershipPublic],
    summary="Customerships and their checklists (staff)",
    responses=problem_responses(STAFF_ONLY, VALIDATION_ERROR),
)
async def list_customerships(
    caller: StaffCaller,
    uow: UoW,
    formed: bool | None = None,
    after: Annotated[
        SafeLine | None, Query(max_length=9, description="business ID to start after")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> list[CustomershipPublic]:
    return await customership.list_customerships(uow, formed=formed, limit=limit, after=after)


@router.get(
    "/customerships/{business_id}",
    response_model=CustomershipPublic,
    summary="One organisation's customership (R8)",
    responses=problem_responses(errors.CUSTOMERSHIP_NOT_FOUND, VALIDATION_ERROR),
)
async def read_customership(
    business_id: BusinessIdParam, caller: Caller, uow: UoW
) -> CustomershipPublic:
    return await customership.get_customership(business_id, uow, caller=caller)


@router.patch(
    "/customerships/{business_id}",
    response_model=CustomershipPublic,
    summary="Record customership checklist steps with their dates (staff, R8)",
    responses=problem_responses(
        STAFF_ONLY,
        errors.CUSTOMERSHIP_NOT_FOUND,
        errors.DATE_IN_FUTURE,
        errors.DATE_OUT_OF_RANGE,
        VALIDATION_ERROR,
    ),
)
async def record_checklist(
    business_id: BusinessIdParam,
    body: ChecklistSteps,
    caller: StaffCaller,
    uow: UoW,
    clock: ClockDep,
    settings: Settings,
) -> CustomershipPublic:
    """Commitment signed, service application, service description accepted, details
    submitted: a first deployment is deployed only once all four have a date."""
    return await customership.record_checklist(
        business_id, body, uow, clock=clock, settings=settings
    )
