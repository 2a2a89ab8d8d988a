"""Staff's commands on deliveries: resend a mail, lift the suppression of an address."""

from __future__ import annotations

import uuid

from services.notifications.app.mailer import Mailer
from services.notifications.app.ports import DeliveryUnitOfWork
from services.notifications.app.queries import delivery_not_found, suppression_not_found
from services.notifications.app.schemas import DeliveryPublic
from services.notifications.app.views import delivery_public
from services.notifications.domain.errors import ADDRESS_SUPPRESSED
from services.notifications.domain.mail import MailStatus, NewMail, message_id, normalise_address
from shared.clock import Clock


async def resend_delivery(
    uow: DeliveryUnitOfWork, *, mail_id: uuid.UUID, mailer: Mailer, clock: Clock
) -> DeliveryPublic:
    """Queue a fresh copy of a mail (new Message-ID, linked to the original); staff only.

    Refused while the address is suppressed: lift the suppression first.
    """
    now = clock.now()
    async with uow:
        original = await uow.mails.get(mail_id=mail_id)
        if original is None:
            raise delivery_not_found(mail_id)
        if await uow.suppressions.find_among(emails={original.recipient}):
            raise ADDRESS_SUPPRESSED(
                f"{original.recipient} is on the suppression list; lift the suppression "
                "(DELETE /v1/suppressions/{email}) before resending."
            )
        # A copy is a mail of its own: a new key, so a new Message-ID, and never deduplicated
        # against the original.
        key = uuid.uuid4()
        copy = NewMail(
            event_id=key,
            recipient=original.recipient,
            template=original.template,
            language=original.language,
            message_id=message_id(
                event_id=key,
                recipient=original.recipient,
                template=original.template,
                domain=mailer.message_id_domain,
            ),
            subject=original.subject,
            body_text=original.body_text,
            body_html=original.body_html,
            calendar=original.calendar,
            calendar_method=original.calendar_method,
            registration_id=original.registration_id,
            business_id=original.business_id,
            resend_of=original.id,
            correlation_id=original.correlation_id,
            status=MailStatus.QUEUED,
            next_attempt_at=now,
            created_at=now,
        )
        stored = await uow.mails.add(mail=copy)
        if stored is None:  # a fresh key cannot collide; if it did, nothing was queued
            raise RuntimeError(f"the copy of mail {mail_id} was not stored")
        uow.after_commit(mailer.on_queued)
        await uow.commit()
    return delivery_public(stored)


async def lift_suppression(uow: DeliveryUnitOfWork, *, email: str) -> None:
    """Take an address off the suppression list, so mail may go to it again; staff only."""
    address = normalise_address(email)
    async with uow:
        if not await uow.suppressions.remove(email=address):
            raise suppression_not_found(address)
        await uow.commit()
