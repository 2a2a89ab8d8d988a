"""Use cases of the notifications service that change mails: sending, resending, suppressions.

The mails events cause are queued in `registration_mails`, `session_mails` and
`extension_mails` (through `queueing`); what the API reads is in `queries`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifications import queries, repository
from services.notifications.domain import (
    SUPPRESSED_REPLY,
    MailStatus,
    RetryPolicy,
    SmtpReply,
    classify_reply,
    message_id,
    normalise_address,
    status_after_attempt,
)
from services.notifications.models import DeliveryPublic, Mail
from shared.db import single_statement
from shared.errors import Conflict, NotFound
from shared.types import utcnow
from shared.uow import UnitOfWork


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

    A hard bounce also puts the address on the suppression list, in one transaction with the
    mail's new state. Any other outcome is one statement committed on its own (the sender
    records every mail this way, so it is kept to one round trip). Returns the new status, or
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

    async def finish(connection: AsyncConnection) -> bool:
        return await repository.finish_claim(
            connection,
            mail_id=mail.id,
            token=token,
            status=status,
            attempts=attempts,
            last_reply=str(reply),
            next_attempt_at=next_attempt_at,
            now=now,
        )

    if not verdict.suppress:
        async with single_statement(uow.engine) as connection:
            recorded = await finish(connection)
        return status if recorded else None
    async with uow:
        await repository.suppress_address(
            uow.session, email=mail.recipient, reason=str(reply), now=now
        )
        recorded = await finish(await uow.session.connection())
        await uow.commit()
    return status if recorded else None


async def suppress_mail(
    uow: UnitOfWork, *, mail: Mail, token: uuid.UUID, now: datetime | None = None
) -> None:
    """Close a claimed mail whose address was suppressed after it was queued, unsent."""
    now = now or utcnow()
    async with uow:
        await repository.finish_claim(
            await uow.session.connection(),
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
                await uow.session.connection(),
                mail_id=mail.id,
                token=token,
                status=MailStatus.RETRYING,
                attempts=mail.attempts,
                last_reply=str(reply),
                next_attempt_at=now + timedelta(seconds=delay_s),
                now=now,
            )
        await uow.commit()


async def resend_delivery(
    uow: UnitOfWork,
    *,
    mail_id: uuid.UUID,
    message_id_domain: str,
    on_queued: Callable[[], None],
    now: datetime | None = None,
) -> DeliveryPublic:
    """Queue a fresh copy of a mail (new Message-ID, linked to the original); staff only.

    Refused while the address is suppressed: lift the suppression first.
    """
    now = now or utcnow()
    async with uow:
        original = await repository.get_mail(uow.session, mail_id=mail_id)
        if original is None:
            raise queries.delivery_not_found(mail_id)
        if await repository.suppressed_among(uow.session, emails={original.recipient}):
            raise Conflict(
                f"{original.recipient} is on the suppression list; lift the suppression "
                "(DELETE /v1/suppressions/{email}) before resending.",
                code="address_suppressed",
                field="recipient",
            )
        # A copy is a mail of its own: a new key, so a new Message-ID, and never deduplicated
        # against the original.
        key = uuid.uuid4()
        copy = Mail(
            event_id=key,
            recipient=original.recipient,
            template=original.template,
            language=original.language,
            message_id=message_id(
                event_id=key,
                recipient=original.recipient,
                template=original.template,
                domain=message_id_domain,
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
            updated_at=now,
        )
        await repository.add_mail(uow.session, mail=copy)
        uow.after_commit(on_queued)
        await uow.commit()
    return DeliveryPublic.model_validate(copy, from_attributes=True)


async def lift_suppression(uow: UnitOfWork, *, email: str) -> None:
    """Take an address off the suppression list, so mail may go to it again; staff only."""
    address = normalise_address(email)
    async with uow:
        if not await repository.unsuppress_address(uow.session, email=address):
            raise NotFound(
                f"{address} is not on the suppression list.", code="suppression_not_found"
            )
        await uow.commit()
