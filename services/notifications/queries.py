"""Read-side use cases of the API: delivery records and suppressions, as the caller may see them.

An organisation sees only the mails of its own registrations (the business ID stored with
each mail); anything else is reported as missing, so ids of others' mails reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.notifications import repository
from services.notifications.domain import MailStatus, normalise_address
from services.notifications.models import (
    DeliveryDetail,
    DeliveryPage,
    DeliveryPublic,
    SuppressionPublic,
)
from shared.auth import Principal
from shared.errors import NotFound
from shared.paging import decode_cursor, encode_cursor
from shared.uow import UnitOfWork


def delivery_not_found(mail_id: uuid.UUID) -> NotFound:
    """The one answer for a delivery that is missing or not the caller's."""
    return NotFound(f"No delivery {mail_id}.", code="delivery_not_found")


@dataclass(frozen=True)
class DeliveryFilter:
    """What `GET /v1/deliveries` narrows the list by (all optional)."""

    recipient: str | None = None
    registration_id: uuid.UUID | None = None
    status: MailStatus | None = None
    template: str | None = None


async def get_delivery(uow: UnitOfWork, *, mail_id: uuid.UUID, caller: Principal) -> DeliveryDetail:
    """One mail's delivery record with the rendered message, or NotFound."""
    async with uow:
        mail = await repository.get_mail(uow.session, mail_id=mail_id)
    if mail is None or not _may_see(caller, mail.business_id):
        raise delivery_not_found(mail_id)
    public = DeliveryPublic.model_validate(mail, from_attributes=True)
    return DeliveryDetail(
        **public.model_dump(),
        text=mail.body_text,
        html=mail.body_html,
        calendar=mail.calendar,
    )


async def list_deliveries(
    uow: UnitOfWork,
    *,
    caller: Principal,
    where: DeliveryFilter,
    cursor: str | None,
    limit: int,
) -> DeliveryPage:
    """Delivery records oldest first, `limit` per page; `next_cursor` continues after the last."""
    after = decode_cursor(cursor) if cursor else None
    async with uow:
        mails = await repository.list_mails(
            uow.session,
            registration_id=where.registration_id,
            recipient=normalise_address(where.recipient) if where.recipient else None,
            status=where.status,
            template=where.template,
            business_id=None if caller.is_staff else caller.business_id or "",
            after=after,
            limit=limit + 1,
        )
    page, more = mails[:limit], len(mails) > limit
    last = page[-1] if page else None
    return DeliveryPage(
        items=[DeliveryPublic.model_validate(mail, from_attributes=True) for mail in page],
        next_cursor=encode_cursor(last.created_at, last.id) if more and last else None,
    )


async def get_suppression(uow: UnitOfWork, *, email: str) -> SuppressionPublic:
    """Why an address is suppressed, or NotFound."""
    address = normalise_address(email)
    async with uow:
        found = await repository.get_suppression(uow.session, email=address)
    if found is None:
        raise NotFound(f"{address} is not on the suppression list.", code="suppression_not_found")
    return SuppressionPublic.model_validate(found, from_attributes=True)


def _may_see(caller: Principal, business_id: str | None) -> bool:
    return caller.is_staff or (business_id is not None and caller.may_see(business_id))
