"""Routes of the delivery records: list, read one, and (staff) resend."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import StringConstraints

from services.notifications.api.deps import ClockDep, MailerDep, UoW
from services.notifications.app import queries, staff
from services.notifications.app.schemas import DeliveryDetail, DeliveryPage, DeliveryPublic
from services.notifications.domain.errors import ADDRESS_SUPPRESSED, DELIVERY_NOT_FOUND
from services.notifications.domain.mail import MailStatus
from shared.auth import Caller, StaffCaller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Cursor, Limit
from shared.problems import INVALID_CURSOR, STAFF_ONLY, UNAUTHORIZED, VALIDATION_ERROR
from shared.text import SafeLine

router = APIRouter(prefix="/v1", tags=["deliveries"])

# Text parameters are one clean line (#15.2): a NUL or a control character is a 422 naming
# the parameter, never a database error.
Address = Annotated[SafeLine, StringConstraints(max_length=320)]
TemplateName = Annotated[SafeLine, StringConstraints(max_length=100)]


@router.get(
    "/deliveries",
    response_model=DeliveryPage,
    summary="List delivery records, oldest first",
    responses=problem_responses(UNAUTHORIZED, INVALID_CURSOR, VALIDATION_ERROR),
)
async def list_deliveries(
    uow: UoW,
    caller: Caller,
    recipient: Annotated[
        Address | None, Query(description="Mails to this address", examples=["maija@example.fi"])
    ] = None,
    registration_id: Annotated[
        uuid.UUID | None, Query(description="Mails of a registration")
    ] = None,
    status_: Annotated[MailStatus | None, Query(alias="status")] = None,
    template: Annotated[
        TemplateName | None,
        Query(description="Mails of this kind", examples=["enrolment_confirmed"]),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
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
    summary="Read one mail's delivery record and the message as rendered",
    responses=problem_responses(UNAUTHORIZED, DELIVERY_NOT_FOUND, VALIDATION_ERROR),
)
async def read_delivery(delivery_id: uuid.UUID, uow: UoW, caller: Caller) -> DeliveryDetail:
    """Status, attempts, the server's last reply, and subject, text, HTML and calendar."""
    return await queries.get_delivery(uow, mail_id=delivery_id, caller=caller)


@router.post(
    "/deliveries/{delivery_id}/resend",
    status_code=status.HTTP_201_CREATED,
    response_model=DeliveryPublic,
    summary="Queue a fresh copy of a mail (staff)",
    responses=problem_responses(
        UNAUTHORIZED, STAFF_ONLY, DELIVERY_NOT_FOUND, ADDRESS_SUPPRESSED, VALIDATION_ERROR
    ),
)
async def resend_delivery(
    delivery_id: uuid.UUID, uow: UoW, caller: StaffCaller, mailer: MailerDep, clock: ClockDep
) -> DeliveryPublic:
    """The copy has a new Message-ID and `resend_of` naming the original."""
    return await staff.resend_delivery(uow, mail_id=delivery_id, mailer=mailer, clock=clock)
