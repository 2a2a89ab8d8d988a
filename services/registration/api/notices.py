"""HTTP routes of change notices (R9)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.registration.api.deps import ClockDep, Settings, UoW
from services.registration.app import notices
from services.registration.app.schemas.notices import NoticeCreate, NoticePage, NoticePublic
from services.registration.domain import errors
from shared.auth import Caller, OrganisationCaller, StaffCaller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Cursor, Limit
from shared.problems import INVALID_CURSOR, ORGANISATION_ONLY, STAFF_ONLY, VALIDATION_ERROR
from shared.text import SafeLine

router = APIRouter(prefix="/v1", tags=["notices"])


@router.post(
    "/notices",
    status_code=status.HTTP_201_CREATED,
    response_model=NoticePublic,
    summary="File a change notice (R9)",
    responses=problem_responses(
        ORGANISATION_ONLY,
        errors.NOTICE_TOO_LATE,
        errors.DATE_OUT_OF_RANGE,
        errors.NOTICE_NOT_FOR_DOMAIN,
    ),
)
async def file_notice(
    body: NoticeCreate, caller: OrganisationCaller, uow: UoW, settings: Settings, clock: ClockDep
) -> NoticePublic:
    """Connection point changes need 14 days' lead time (a setting); document-group and
    system-profile changes and growth over 500,000 documents are sent to Kela's mailbox."""
    return await notices.file_notice(body, uow, caller=caller, settings=settings, clock=clock)


@router.get(
    "/notices",
    response_model=NoticePage,
    summary="List notices",
    responses=problem_responses(INVALID_CURSOR, VALIDATION_ERROR),
)
async def list_notices(
    caller: Caller,
    uow: UoW,
    state: Literal["received", "acknowledged"] | None = None,
    kind: Annotated[SafeLine | None, Query(max_length=40)] = None,
    routed_to_kela: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> NoticePage:
    """Staff see every organisation's notices; an organisation its own."""
    return await notices.list_notices(
        uow,
        caller=caller,
        state=state,
        kind=kind,
        routed_to_kela=routed_to_kela,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/notices/{notice_id}",
    response_model=NoticePublic,
    summary="Read a notice with its history",
    responses=problem_responses(errors.NOTICE_NOT_FOUND),
)
async def read_notice(notice_id: uuid.UUID, caller: Caller, uow: UoW) -> NoticePublic:
    return await notices.get_notice(notice_id, uow, caller=caller)


@router.post(
    "/notices/{notice_id}/acknowledge",
    response_model=NoticePublic,
    summary="Acknowledge a notice (staff)",
    responses=problem_responses(STAFF_ONLY, errors.NOTICE_NOT_FOUND, errors.INVALID_TRANSITION),
)
async def acknowledge_notice(
    notice_id: uuid.UUID, caller: StaffCaller, uow: UoW, clock: ClockDep
) -> NoticePublic:
    return await notices.acknowledge_notice(notice_id, uow, caller=caller, clock=clock)
