"""The sender's use cases: claim due mails, record each try, close or give back the rest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from services.notifications.adapters.mails import ClaimOutcome
from services.notifications.adapters.tables import Mail
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.domain.mail import SUPPRESSED_REPLY, MailStatus
from services.notifications.domain.replies import (
    RetryPolicy,
    SmtpReply,
    classify_reply,
    status_after_attempt,
)
from shared.clock import Clock


@dataclass(frozen=True)
class Claim:
    """Mails one sender holds under one token, and which of their addresses are suppressed."""

    token: uuid.UUID
    mails: list[Mail]
    suppressed: set[str]


async def claim_due_mails(
    uow: NotificationsUnitOfWork, *, limit: int, lease_s: float, clock: Clock
) -> Claim:
    """Claim up to `limit` due mails for one sending pass, leased for `lease_s` seconds."""
    now = clock.now()
    token = uuid.uuid4()
    async with uow:
        mails = await uow.mails.claim_due(
            now=now, lease_until=now + timedelta(seconds=lease_s), token=token, limit=limit
        )
        suppressed = await uow.suppressions.find_among(emails={mail.recipient for mail in mails})
        await uow.commit()
    return Claim(token=token, mails=mails, suppressed=suppressed)


async def record_attempt(
    uow: NotificationsUnitOfWork,
    *,
    mail: Mail,
    token: uuid.UUID,
    reply: SmtpReply,
    policy: RetryPolicy,
    clock: Clock,
) -> MailStatus | None:
    """Record one SMTP try of a claimed mail: sent, retrying with back-off, or failed.

    A hard bounce also puts the address on the suppression list, in one transaction with the
    mail's new state. Any other outcome is one statement committed on its own (the sender
    records every mail this way, so it is kept to one round trip). Returns the new status, or
    None when the claim had been taken over meanwhile (the new holder's outcome stands).
    """
    now = clock.now()
    attempts = mail.attempts + 1
    verdict = classify_reply(reply)
    status = status_after_attempt(
        verdict.verdict, attempts=attempts, max_attempts=policy.max_attempts
    )
    next_attempt_at = (
        now + timedelta(seconds=policy.delay(attempts)) if status is MailStatus.RETRYING else None
    )
    outcome = ClaimOutcome(
        mail_id=mail.id,
        token=token,
        status=status,
        attempts=attempts,
        last_reply=str(reply),
        next_attempt_at=next_attempt_at,
        now=now,
    )
    if not verdict.suppress:
        recorded = await uow.finish_claim_alone(outcome=outcome)
        return status if recorded else None
    async with uow:
        await uow.suppressions.add(email=mail.recipient, reason=str(reply), now=now)
        recorded = await uow.mails.finish_claim(outcome=outcome)
        await uow.commit()
    return status if recorded else None


async def suppress_mail(
    uow: NotificationsUnitOfWork, *, mail: Mail, token: uuid.UUID, clock: Clock
) -> None:
    """Close a claimed mail whose address was suppressed after it was queued, unsent."""
    async with uow:
        await uow.mails.finish_claim(
            outcome=ClaimOutcome(
                mail_id=mail.id,
                token=token,
                status=MailStatus.SUPPRESSED,
                attempts=mail.attempts,
                last_reply=SUPPRESSED_REPLY,
                now=clock.now(),
            )
        )
        await uow.commit()


async def release_mails(
    uow: NotificationsUnitOfWork,
    *,
    mails: list[Mail],
    token: uuid.UUID,
    reply: SmtpReply,
    delay_s: float,
    clock: Clock,
) -> None:
    """Give back claimed mails that were never tried (no SMTP session): retry later, no attempt.

    An unreachable or misconfigured server is not the mails' fault, so it does not use up
    their attempts; the sender backs off on its own count of failed connections.
    """
    now = clock.now()
    async with uow:
        for mail in mails:
            await uow.mails.finish_claim(
                outcome=ClaimOutcome(
                    mail_id=mail.id,
                    token=token,
                    status=MailStatus.RETRYING,
                    attempts=mail.attempts,
                    last_reply=str(reply),
                    next_attempt_at=now + timedelta(seconds=delay_s),
                    now=now,
                )
            )
        await uow.commit()
