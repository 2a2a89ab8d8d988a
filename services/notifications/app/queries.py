"""Read-side use cases of the API: delivery records and suppressions, as the caller may see them.

An organisation sees only the mails of its own registrations (the business ID stored with
each mail); anything else is reported as missing, so ids of others' mails reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.notifications.app.ports import DeliveryUnitOfWork
from services.notifications.app.schemas import DeliveryDetail, DeliveryPage, SuppressionPublic
from services.notifications.app.views import delivery_detail, delivery_public, suppression_public
from services.notifications.domain.errors import DELIVERY_NOT_FOUND, SUPPRESSION_NOT_FOUND
from services.notifications.domain.mail import MailStatus, normalise_address
from shared.auth import Principal
from shared.errors import ServiceError
from shared.paging import decode_cursor, encode_cursor


def delivery_not_found(mail_id: uuid.UUID) -> ServiceError:
    """The one answer for a delivery that is missing or not the caller's."""
    return DELIVERY_NOT_FOUND(f"No delivery {mail_id}.")


def suppression_not_found(address: str) -> ServiceError:
    """The answer for an address that is not suppressed."""
    return SUPPRESSION_NOT_FOUND(f"{address} is not on the suppression list.")


@dataclass(frozen=True)
class DeliveryFilter:
    """What `GET /v1/deliveries` narrows the list by (all optional)."""

    recipient: str | None = None
    registration_id: uuid.UUID | None = None
    status: MailStatus | None = None
    template: str | None = None


async def get_delivery(
    uow: DeliveryUnitOfWork, *, mail_id: uuid.UUID, caller: Principal
) -> DeliveryDetail:
    """One mail's delivery record with the rendered message, or NotFound."""
    async with uow:
        mail = await uow.mails.get(mail_id=mail_id)
    if mail is None or not _may_see(caller, mail.business_id):
        raise delivery_not_found(mail_id)
    return delivery_detail(mail)


async def list_deliveries(
    uow: DeliveryUnitOfWork,
    *,
    caller: Principal,
    where: DeliveryFilter,
    cursor: str | None,
    limit: int,
) -> DeliveryPage:
    """Delivery records oldest first, `limit` per page; `next_cursor` continues after the last."""
    after = decode_cursor(cursor) if cursor else None
    async with uow:
        mails = await uow.mails.find(
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
        items=[delivery_public(mail) for mail in page],
        next_cursor=encode_cursor(last.created_at, last.id) if more and last else None,
    )


async def get_suppression(uow: DeliveryUnitOfWork, *, email: str) -> SuppressionPublic:
    """Why an address is suppressed, or NotFound."""
    address = normalise_address(email)
    async with uow:
        found = await uow.suppressions.get(email=address)
    if found is None:
        raise suppression_not_found(address)
    return suppression_public(found)


def _may_see(caller: Principal, business_id: str | None) -> bool:
    return caller.is_staff or (business_id is not None and caller.may_see(business_id))
