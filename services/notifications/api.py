"""HTTP routes of the notifications service: thin, they call use cases and return models."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from services.notifications import handlers, queries
from services.notifications.domain import MailStatus
from services.notifications.models import (
    DeliveryDetail,
    DeliveryPage,
    DeliveryPublic,
    SuppressionPublic,
)
from services.notifications.sender import Doorbell
from services.notifications.settings import NotificationsSettings
from shared.app import UoW
from shared.auth import Caller, StaffCaller
from shared.http import Problem

router = APIRouter(prefix="/v1")

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _problem(
    description: str, status_code: int, title: str, code: str, detail: str, **extra: Any
) -> dict[str, Any]:
    example = {
        "type": f"https://kanta.example/problems/{code}",
        "title": title,
        "status": status_code,
        "code": code,
        "detail": detail,
        **extra,
    }
    return {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {"example": example}},
    }


UNAUTHORIZED = _problem(
    "No access token, or one that does not verify",
    401,
    "Unauthorized",
    "unauthorized",
    "This route needs an access token: send `Authorization: Bearer <token>`.",
)
STAFF_ONLY = _problem(
    "The caller is not Kela staff",
    403,
    "Forbidden",
    "staff_only",
    "Only Kela staff may use this route.",
)
DELIVERY_NOT_FOUND = _problem(
    "No such delivery, or not one of the caller's registrations",
    404,
    "Not found",
    "delivery_not_found",
    f"No delivery {EXAMPLE_ID}.",
)
SUPPRESSION_NOT_FOUND = _problem(
    "The address is not suppressed",
    404,
    "Not found",
    "suppression_not_found",
    "maija@example.fi is not on the suppression list.",
)
BAD_QUERY = _problem(
    "A query parameter is invalid (a cursor this API did not give out, a limit over 200…)",
    422,
    "Unprocessable content",
    "invalid_cursor",
    "The cursor is not one this API gave out; start again without it.",
    field="cursor",
)
ADDRESS_SUPPRESSED = _problem(
    "The recipient is suppressed: lift the suppression first",
    409,
    "Conflict",
    "address_suppressed",
    "ei.ole@example.fi is on the suppression list; lift the suppression "
    "(DELETE /v1/suppressions/{email}) before resending.",
    field="recipient",
)

BAD_ID = _problem(
    "The id in the path is not a UUID",
    422,
    "Unprocessable content",
    "validation_error",
    "The request has 1 invalid field: delivery_id: Input should be a valid UUID.",
    field="delivery_id",
)
BAD_EMAIL = _problem(
    "The address in the path is too short or too long",
    422,
    "Unprocessable content",
    "validation_error",
    "The request has 1 invalid field: email: String should have at most 320 characters.",
    field="email",
)

EmailPath = Annotated[
    str,
    Path(min_length=3, max_length=320, description="The address", examples=["ei.ole@example.fi"]),
]


@router.get(
    "/deliveries",
    response_model=DeliveryPage,
    tags=["deliveries"],
    summary="List delivery records, oldest first",
    responses={401: UNAUTHORIZED, 422: BAD_QUERY},
)
async def list_deliveries(
    uow: UoW,
    caller: Caller,
    recipient: Annotated[str | None, Query(max_length=320, examples=["maija@example.fi"])] = None,
    registration_id: Annotated[
        uuid.UUID | None, Query(description="Mails of a registration")
    ] = None,
    status_: Annotated[MailStatus | None, Query(alias="status")] = None,
    template: Annotated[str | None, Query(max_length=100, examples=["enrolment_confirmed"])] = None,
    cursor: Annotated[
        str | None, Query(max_length=500, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> DeliveryPage:
    """Staff see every mail; an organisation sees the mails of its own registrations."""
    where = queries.DeliveryFilter(
        recipient=recipient, registration_id=registration_id, status=status_, template=template
    )
    return await queries.list_deliveries(
        uow, caller=caller, where=where, cursor=cursor, limit=limit
    )


@router.get(
    "/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    tags=["deliveries"],
    summary="Read one mail's delivery record and the message as rendered",
    responses={401: UNAUTHORIZED, 404: DELIVERY_NOT_FOUND, 422: BAD_ID},
)
async def read_delivery(delivery_id: uuid.UUID, uow: UoW, caller: Caller) -> DeliveryDetail:
    """Status, attempts, the server's last reply, and subject, text, HTML and calendar."""
    return await queries.get_delivery(uow, mail_id=delivery_id, caller=caller)


@router.post(
    "/deliveries/{delivery_id}/resend",
    status_code=status.HTTP_201_CREATED,
    response_model=DeliveryPublic,
    tags=["deliveries"],
    summary="Queue a fresh copy of a mail (staff)",
    responses={
        401: UNAUTHORIZED,
        403: STAFF_ONLY,
        404: DELIVERY_NOT_FOUND,
        409: ADDRESS_SUPPRESSED,
        422: BAD_ID,
    },
)
async def resend_delivery(
    delivery_id: uuid.UUID, uow: UoW, caller: StaffCaller, request: Request
) -> DeliveryPublic:
    """The copy has a new Message-ID and `resend_of` naming the original."""
    settings: NotificationsSettings = request.app.state.settings
    doorbell: Doorbell = request.app.state.doorbell
    return await handlers.resend_delivery(
        uow,
        mail_id=delivery_id,
        message_id_domain=settings.message_id_domain,
        on_queued=doorbell.ring,
    )


@router.get(
    "/suppressions/{email}",
    response_model=SuppressionPublic,
    tags=["suppressions"],
    summary="Is mail to this address suppressed, and why (staff)",
    responses={401: UNAUTHORIZED, 403: STAFF_ONLY, 404: SUPPRESSION_NOT_FOUND, 422: BAD_EMAIL},
)
async def read_suppression(email: EmailPath, uow: UoW, caller: StaffCaller) -> SuppressionPublic:
    """An address lands here after a hard bounce (550, 551, 553 to RCPT)."""
    return await queries.get_suppression(uow, email=email)


@router.delete(
    "/suppressions/{email}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    tags=["suppressions"],
    summary="Lift the suppression of an address (staff)",
    responses={401: UNAUTHORIZED, 403: STAFF_ONLY, 404: SUPPRESSION_NOT_FOUND, 422: BAD_EMAIL},
)
async def lift_suppression(email: EmailPath, uow: UoW, caller: StaffCaller) -> Response:
    """Mail may go to the address again; mails suppressed before stay as they are."""
    await handlers.lift_suppression(uow, email=email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
