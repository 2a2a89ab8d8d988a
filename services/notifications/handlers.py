"""Use cases of the notifications service: one verb-named function each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications import repository
from services.notifications.domain import (
    MailStatus,
    RetryPolicy,
    SmtpReply,
    classify_reply,
    message_id,
    normalise_address,
    status_after_attempt,
)
from services.notifications.models import DeliveryPublic, Mail
from services.notifications.rendering import (
    REGISTRATION_RECEIVED,
    ReceiptContext,
    RenderedMail,
    render,
)
from shared.errors import NotFound
from shared.events import Envelope
from shared.contracts.common import Contact
from shared.contracts.registration import RegistrationSubmitted
from shared.types import utcnow
from shared.uow import UnitOfWork

SUPPRESSED_REPLY = "not sent: the address is on the suppression list"


async def queue_registration_receipts(
    uow: UnitOfWork,
    submitted: RegistrationSubmitted,
    envelope: Envelope,
    *,
    message_id_domain: str,
    on_queued: Callable[[], None],
) -> int:
    """Queue a receipt to each contact, in their language; return how many were queued.

    Runs in the consumer's transaction (with the inbox claim). The unique key makes a second
    run for the same event a no-op; a suppressed address gets a `suppressed` row instead.
    """
    now = utcnow()
    contacts: dict[str, Contact] = {}
    for contact in submitted.contacts:  # one receipt per address, to its first contact
        contacts.setdefault(normalise_address(str(contact.email)), contact)
    suppressed = await repository.suppressed_among(uow.session, emails=contacts)
    queued = 0
    for address, contact in contacts.items():
        rendered = render(
            REGISTRATION_RECEIVED.name,
            ReceiptContext(
                contact_name=contact.name,
                organisation_name=submitted.organisation_name,
                business_id=submitted.business_id,
                registration_id=submitted.registration_id,
                submitted_at=submitted.submitted_at,
            ),
            language=contact.language,
        )
        if await _queue_mail(
            uow,
            envelope=envelope,
            recipient=address,
            rendered=rendered,
            registration_id=submitted.registration_id,
            suppressed=address in suppressed,
            message_id_domain=message_id_domain,
            now=now,
        ):
            queued += 1
    if queued:
        uow.after_commit(on_queued)
    return queued


async def _queue_mail(
    uow: UnitOfWork,
    *,
    envelope: Envelope,
    recipient: str,
    rendered: RenderedMail,
    registration_id: uuid.UUID | None,
    suppressed: bool,
    message_id_domain: str,
    now: datetime,
) -> bool:
    """Store one rendered mail caused by `envelope`; True when it is new and will be sent."""
    mail = Mail(
        event_id=envelope.event_id,
        recipient=recipient,
        template=rendered.template,
        language=rendered.language,
        message_id=message_id(
            event_id=envelope.event_id,
            recipient=recipient,
            template=rendered.template,
            domain=message_id_domain,
        ),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        registration_id=registration_id,
        correlation_id=envelope.correlation_id,
        status=MailStatus.SUPPRESSED if suppressed else MailStatus.QUEUED,
        last_reply=SUPPRESSED_REPLY if suppressed else None,
        next_attempt_at=None if suppressed else now,
        created_at=now,
        updated_at=now,
    )
    added = await repository.add_mail(uow.session, mail=mail)
    return added and not suppressed


@dataclass(frozen=True)
class Claim:
    """Mails one sender holds under one token, and which of their addresses are suppressed."""

    token: uuid.UUID
    mails: list[Mail]
    suppressed: set[str]


async def claim_due_mails(
    uow: UnitOfWork, *, limit: int, lease_s: float, now: datetime | None = None
) -> Claim:
    """Claim up to `limit` due mails for one sending pass, leased for `lease_s` seconds."""
    now = now or utcnow()
    token = uuid.uuid4()
    async with uow:
        mails = await repository.claim_due_mails(
            uow.session,
            now=now,
            lease_until=now + timedelta(seconds=lease_s),
            token=token,
            limit=limit,
        )
        suppressed = await repository.suppressed_among(
            uow.session, emails={mail.recipient for mail in mails}
        )
        await uow.commit()
    return Claim(token=token, mails=mails, suppressed=suppressed)


async def record_attempt(
    uow: UnitOfWork,
    *,
    mail: Mail,
    token: uuid.UUID,
    reply: SmtpReply,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> MailStatus | None:
    """Record one SMTP try of a claimed mail: sent, retrying with back-off, or failed.

    A hard bounce also puts the address on the suppression list. Returns the new status, or
    None when the claim had been taken over meanwhile (the new holder's outcome stands).
    """
    now = now or utcnow()
    attempts = mail.attempts + 1
    verdict = classify_reply(reply)
    status = status_after_attempt(
        verdict.verdict, attempts=attempts, max_attempts=policy.max_attempts
    )
    next_attempt_at = (
        now + timedelta(seconds=policy.delay(attempts)) if status is MailStatus.RETRYING else None
    )
    async with uow:
        if verdict.suppress:
            await repository.suppress_address(
                uow.session, email=mail.recipient, reason=str(reply), now=now
            )
        recorded = await repository.finish_claim(
            uow.session,
            mail_id=mail.id,
            token=token,
            status=status,
            attempts=attempts,
            last_reply=str(reply),
            next_attempt_at=next_attempt_at,
            now=now,
        )
        await uow.commit()
    return status if recorded else None


async def suppress_mail(
    uow: UnitOfWork, *, mail: Mail, token: uuid.UUID, now: datetime | None = None
) -> None:
    """Close a claimed mail whose address was suppressed after it was queued, unsent."""
    now = now or utcnow()
    async with uow:
        await repository.finish_claim(
            uow.session,
            mail_id=mail.id,
            token=token,
            status=MailStatus.SUPPRESSED,
            attempts=mail.attempts,
            last_reply=SUPPRESSED_REPLY,
            now=now,
        )
        await uow.commit()


async def release_mails(
    uow: UnitOfWork,
    *,
    mails: list[Mail],
    token: uuid.UUID,
    reply: SmtpReply,
    delay_s: float,
    now: datetime | None = None,
) -> None:
    """Give back claimed mails that were never tried (no SMTP session): retry later, no attempt.

    An unreachable or misconfigured server is not the mails' fault, so it does not use up
    their attempts; the sender backs off on its own count of failed connections.
    """
    now = now or utcnow()
    async with uow:
        for mail in mails:
            await repository.finish_claim(
                uow.session,
                mail_id=mail.id,
                token=token,
                status=MailStatus.RETRYING,
                attempts=mail.attempts,
                last_reply=str(reply),
                next_attempt_at=now + timedelta(seconds=delay_s),
                now=now,
            )
        await uow.commit()


async def get_delivery(mail_id: uuid.UUID, uow: UnitOfWork) -> DeliveryPublic:
    """One mail's delivery record, or NotFound."""
    async with uow:
        mail = await repository.get_mail(uow.session, mail_id=mail_id)
    if mail is None:
        raise NotFound(f"No delivery {mail_id}.", code="delivery_not_found")
    return DeliveryPublic.model_validate(mail, from_attributes=True)


async def list_deliveries(
    registration_id: uuid.UUID, uow: UnitOfWork, *, limit: int
) -> list[DeliveryPublic]:
    """The delivery records of a registration's mails, oldest first."""
    async with uow:
        mails = await repository.list_mails(
            uow.session, registration_id=registration_id, limit=limit
        )
    return [DeliveryPublic.model_validate(mail, from_attributes=True) for mail in mails]
