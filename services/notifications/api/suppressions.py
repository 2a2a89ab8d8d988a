"""Routes of the suppression list (staff): why an address is suppressed, and lifting it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import StringConstraints

from services.notifications.api.deps import UoW
from services.notifications.app import queries, staff
from services.notifications.app.schemas import SuppressionPublic
from services.notifications.domain.errors import SUPPRESSION_NOT_FOUND
from shared.auth import StaffCaller
from shared.openapi import problem_responses
from shared.problems import STAFF_ONLY, UNAUTHORIZED, VALIDATION_ERROR
from shared.text import SafeLine

router = APIRouter(prefix="/v1", tags=["suppressions"])

# One clean line (#15.2): a NUL or a control character is a 422 naming `email`.
EmailPath = Annotated[
    SafeLine,
    StringConstraints(min_length=3, max_length=320),
    Path(description="The address", examples=["ei.ole@example.fi"]),
]
PROBLEMS = problem_responses(UNAUTHORIZED, STAFF_ONLY, SUPPRESSION_NOT_FOUND, VALIDATION_ERROR)


@router.get(
    "/suppressions/{email}",
    response_model=SuppressionPublic,
    summary="Is mail to this address suppressed, and why (staff)",
    responses=PROBLEMS,
)
async def read_suppression(email: EmailPath, uow: UoW, caller: StaffCaller) -> SuppressionPublic:
    """An address lands here after a hard bounce (550, 551, 553 to RCPT)."""
    return await queries.get_suppression(uow, email=email)


@router.delete(
    "/suppressions/{email}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Lift the suppression of an address (staff)",
    responses=PROBLEMS,
)
async def lift_suppression(email: EmailPath, uow: UoW, caller: StaffCaller) -> Response:
    """Mail may go to the address again; mails suppressed before stay as they are."""
    await staff.lift_suppression(uow, email=email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
