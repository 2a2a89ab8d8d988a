"""HTTP routes of the calendar files (text/calendar, RFC 5545)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Path, Response

from services.scheduling import calendar_files
from services.scheduling.deps import PolicyDep
from services.scheduling.openapi import AUTH, problems
from shared.app import UoW
from shared.auth import Caller

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
        **problems(*AUTH, (404, "session_not_found", "No session 3fa85f64-….")),
    },
)
async def session_ics(
    session_id: uuid.UUID, uow: UoW, policy: PolicyDep, caller: Caller
) -> Response:
    """UID stays, SEQUENCE rises on every change, a cancelled session is STATUS:CANCELLED."""
    return _ics(
        await calendar_files.session_file(session_id, uow, policy, caller), f"{session_id}.ics"
    )


@router.get(
    "/periods/{period_id}/calendar.ics",
    response_class=Response,
    summary="A period's sessions as an iCalendar file",
    responses={
        **ICS_RESPONSE,
        **problems(*AUTH, (404, "period_not_found", "No period 3fa85f64-….")),
    },
)
async def period_ics(period_id: uuid.UUID, uow: UoW, policy: PolicyDep, caller: Caller) -> Response:
    """Every published session of the period (staff: drafts too, as TENTATIVE)."""
    return _ics(await calendar_files.period_file(period_id, uow, policy, caller), "calendar.ics")


@router.get(
    "/feeds/{token}.ics",
    response_class=Response,
    summary="A participant's own calendar feed",
    responses={
        **ICS_RESPONSE,
        **problems((404, "feed_not_found", "No such calendar feed.")),
    },
)
async def feed_ics(
    uow: UoW,
    policy: PolicyDep,
    token: str = Path(min_length=16, max_length=128, pattern=r"^[0-9a-f]+$"),
) -> Response:
    """No access token: the unguessable feed token (sent in enrolment events) is the key."""
    return _ics(await calendar_files.feed_file(token, uow, policy), "kanta.ics")
