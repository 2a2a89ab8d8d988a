"""Staff's commands on deliveries: resend a mail, lift the suppression of an address."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.notifications.app.mailer import Mailer
from services.notifications.app.ports import DeliveryUnitOfWork, MailRecord
from services.notifications.app.queries import delivery_not_found, suppression_not_found
from services.notifications.app.schemas import DeliveryPublic
from services.notifications.app.views import delivery_public
from services.notifications.domain.errors import ADDRESS_SUPPRESSED
from services.notifications.domain.mail import (
    MailStatus,
    NewMail,
    Rendition,
    message_id,
    normalise_address,
)
from shared.clock import Clock


async def resend_delivery(
    uow: DeliveryUnitOfWork, *, mail_id: uuid.UUID, mailer: Mailer, clock: Clock
) -> DeliveryPublic:
    """Queue a fresh copy of a mail (new Message-ID, linked to the original); staff only.

    The copy is rendered again from the current state (#14.4): a session mail shows the
    session's current time and carries the person's current SEQUENCE, and tells what holds
    now (the current invitation, or the cancellation). Refused while the address is
    suppressed: lift the suppression first.
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
        fresh = await _rendered_again(uow, original, mailer=mailer, now=now)
        # A copy is a mail of its own: a new key, so a new Message-ID, and never deduplicated
        # against the original.
        key = uuid.uuid4()
        copy = NewMail(
            event_id=key,
            recipient=original.recipient,
            template=fresh.template,
            language=fresh.language,
            message_id=message_id(
                event_id=key,
                recipient=original.recipient,
                template=fresh.template,
                domain=mailer.message_id_domain,
            ),
            subject=fresh.subject,
            body_text=fresh.body_text,
            body_html=fresh.body_html,
            calendar=fresh.calendar,
            calendar_method=fresh.calendar_method,
            render_context=fresh.render_context,
            session_id=original.session_id,
            enrolment_id=original.enrolment_id,
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


async def _rendered_again(
    uow: DeliveryUnitOfWork, original: MailRecord, *, mailer: Mailer, now: datetime
) -> Rendition:
    """The original rendered from the current state, or as it was when that cannot be."""
    session = entry = None
    if original.session_id is not None:
        session = await uow.read_models.find_session(session_id=original.session_id)
    if original.enrolment_id is not None:
        entry = await uow.read_models.find_entry(enrolment_id=original.enrolment_id)
    if mailer.rerender is not None:
        fresh = mailer.rerender(
            original,
            session=session,
            entry=entry,
            organizer=mailer.organizer,
            organizer_name=mailer.organizer_name,
            contact=mailer.contact_address,
            now=now,
        )
        if fresh is not None:
            return fresh
    return Rendition(
        template=original.template,
        language=original.language,
        subject=original.subject,
        body_text=original.body_text,
        body_html=original.body_html,
        render_context=original.render_context,
        calendar=original.calendar,
        calendar_method=original.calendar_method,
    )


async def lift_suppression(uow: DeliveryUnitOfWork, *, email: str) -> None:
    """Take an address off the suppression list, so mail may go to it again; staff only."""
    address = normalise_address(email)
    async with uow:
        if not await uow.suppressions.remove(email=address):
            raise suppression_not_found(address)
        await uow.commit()
