"""HTTP routes of the calendar files (text/calendar, RFC 5545)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Path, Response

from services.scheduling.api.deps import AUTH, CalendarWriterDep, Caller, PolicyDep, UoW
from services.scheduling.app import calendar_files
from services.scheduling.domain import errors
from shared.openapi import problem_responses

router = APIRouter(prefix="/v1", tags=["calendar files"])

ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar file"}
}


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/sessions/{session_id}.ics",
    response_class=Response,
    summary="A session as an iCalendar file",
    responses={
        **ICS_RESPONSE,
        **problem_responses(*AUTH, errors.SESSION_NOT_FOUND),
    },
)
async def session_ics(
    session_id: uuid.UUID, uow: UoW, policy: PolicyDep, write: CalendarWriterDep, caller: Caller
) -> Response:
    """UID stays, SEQUENCE rises on every change, a cancelled session is STATUS:CANCELLED."""
    return _ics(
        await calendar_files.session_file(session_id, uow, policy, caller, write=write),
        f"{session_id}.ics",
    )


@router.get(
    "/periods/{period_id}/calendar.ics",
    response_class=Response,
    summary="A period's sessions as an iCalendar file",
    responses={
        **ICS_RESPONSE,
        **problem_responses(*AUTH, errors.PERIOD_NOT_FOUND),
    },
)
async def period_ics(
    period_id: uuid.UUID, uow: UoW, policy: PolicyDep, write: CalendarWriterDep, caller: Caller
) -> Response:
    """Every published session of the period (staff: drafts too, as TENTATIVE)."""
    return _ics(
        await calendar_files.period_file(period_id, uow, policy, caller, write=write),
        "calendar.ics",
    )


@router.get(
    "/feeds/{token}.ics",
    response_class=Response,
    summary="A participant's own calendar feed",
    responses={
        **ICS_RESPONSE,
        **problem_responses(errors.FEED_NOT_FOUND),
    },
)
async def feed_ics(
    uow: UoW,
    policy: PolicyDep,
    write: CalendarWriterDep,
    token: str = Path(min_length=16, max_length=128, pattern=r"^[0-9a-f]+$"),
) -> Response:
    """No access token: the unguessable feed token (sent in enrolment events) is the key."""
    return _ics(await calendar_files.feed_file(token, uow, policy, write=write), "kanta.ics")
