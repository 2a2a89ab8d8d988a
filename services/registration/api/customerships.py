"""HTTP routes of the Kanta customership (R8)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from services.registration.api.deps import UoW
from services.registration.app import customership
from services.registration.app.schemas.customerships import CustomershipPublic
from services.registration.domain import errors
from shared.auth import Caller, StaffCaller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Limit
from shared.problems import STAFF_ONLY

router = APIRouter(prefix="/v1", tags=["customership"])


@router.get(
    "/customerships",
    response_model=list[CustomershipPublic],
    summary="Customerships and their checklists (staff)",
    responses=problem_responses(STAFF_ONLY),
)
async def list_customerships(
    caller: StaffCaller,
    uow: UoW,
    formed: bool | None = None,
    after: str | None = Query(default=None, max_length=9, description="business ID to start after"),
    limit: Limit = DEFAULT_LIMIT,
) -> list[CustomershipPublic]:
    return await customership.list_customerships(uow, formed=formed, limit=limit, after=after)


@router.get(
    "/customerships/{business_id}",
    response_model=CustomershipPublic,
    summary="One organisation's customership (R8)",
    responses=problem_responses(errors.CUSTOMERSHIP_NOT_FOUND),
)
async def read_customership(business_id: str, caller: Caller, uow: UoW) -> CustomershipPublic:
    return await customership.get_customership(business_id, uow, caller=caller)
