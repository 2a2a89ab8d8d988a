"""The mail sender: a background loop of passes that send due mails from the `mails` outbox.

Each pass claims a batch of due mails (lease + claim token; `FOR UPDATE SKIP LOCKED` on
PostgreSQL), sends them over one SMTP session and records each outcome on its own. That
record runs while the next mail is built and the server answers its envelope (MAIL FROM,
RCPT TO); the next mail's content goes only once the record has committed, so a crash
re-sends at most the one mail whose reply was in hand (with the same Message-ID). A mail
whose sender died stays `sending` until its lease ends, then is claimed again. The loop
(`runtime.run_loop`) wakes on its doorbell (rung after a commit that queued mails) or every
`mail_poll_interval_s`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.notifications.adapters.metrics import MAIL_OUTCOMES, SMTP_UNAVAILABLE
from services.notifications.adapters.mime import build_message
from services.notifications.adapters.smtp import SmtpSession, SmtpUnavailable
from services.notifications.adapters.tables import Mail
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app import delivery
from services.notifications.domain.mail import MailStatus
from services.notifications.domain.replies import RetryPolicy, SmtpReply, classify_reply
from services.notifications.settings import NotificationsSettings
from shared.clock import Clock
from shared.context import correlation_id_var

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassOutcome:
    """What one sending pass did, by resulting status."""

    claimed: int
    statuses: dict[MailStatus, int]


class MailSender:
    """Sends due mails, one pass at a time (`one_pass` is the loop's pass)."""

    def __init__(
        self,
        *,
        uow_factory: Callable[[], NotificationsUnitOfWork],
        settings: NotificationsSettings,
        clock: Clock,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._uow = uow_factory
        self._settings = settings
        self._clock = clock
        self._policy = RetryPolicy(
            max_attempts=settings.mail_max_attempts,
            base_s=settings.mail_retry_base_s,
            max_s=settings.mail_retry_max_s,
            rand=rand,
        )
        # Consecutive passes that could not open an SMTP session: the back-off of an outage.
        self._unavailable = 0

    async def one_pass(self) -> bool:
        """One sending pass; True (go on at once) after a full batch, unless SMTP is down."""
        outcome = await self.send_due()
        return outcome.claimed >= self._settings.mail_batch_size and not self._unavailable

    async def send_due(self) -> PassOutcome:
        """Claim one batch of due mails, send them over one session, record each outcome."""
        s = self._settings
        claim = await delivery.claim_due_mails(
            self._uow(), limit=s.mail_batch_size, lease_s=s.mail_claim_ttl_s, clock=self._clock
        )
        # Stop while one more try still fits in the lease: past it, another sender may have
        # claimed the rest, and sending them here too would send them twice.
        stop_at = time.monotonic() + s.mail_claim_ttl_s - s.smtp_timeout_s
        statuses: Counter[MailStatus] = Counter()
        suppressed = set(claim.suppressed)
        # The outcome of the mail before is recorded while the server answers this one's
        # envelope; its content goes only once that record is committed.
        recording: asyncio.Task[MailStatus | None] | None = None

        async def recorded() -> None:
            nonlocal recording
            task, recording = recording, None
            if task is not None:
                status = await task
                if status is not None:
                    statuses[status] += 1

        try:
            async with SmtpSession(s) as smtp:
                for index, mail in enumerate(claim.mails):
                    if time.monotonic() > stop_at:
                        log.warning("mail lease running out, the rest wait for the next claim")
                        break
                    if mail.recipient in suppressed:
                        await recorded()
                        await delivery.suppress_mail(
                            self._uow(), mail=mail, token=claim.token, clock=self._clock
                        )
                        statuses[MailStatus.SUPPRESSED] += 1
                        continue
                    try:
                        await smtp.open()
                    except SmtpUnavailable as exc:
                        await recorded()
                        untried = claim.mails[index:]
                        await self._release(untried, claim.token, exc.reply)
                        statuses[MailStatus.RETRYING] += len(untried)
                        break
                    self._unavailable = 0
                    reply = await self._try(smtp, mail, before_content=recorded)
                    recording = self._record_in_background(mail, claim.token, reply)
                    if classify_reply(reply).suppress:
                        suppressed.add(mail.recipient)
                    await asyncio.sleep(0)  # the record's first statement goes out now
        finally:
            await recorded()
        for status, count in statuses.items():
            MAIL_OUTCOMES.labels(status.value).inc(count)
        return PassOutcome(claimed=len(claim.mails), statuses=dict(statuses))

    async def _try(
        self, smtp: SmtpSession, mail: Mail, *, before_content: Callable[[], Awaitable[None]]
    ) -> SmtpReply:
        """One SMTP try of one mail; `before_content` runs between the envelope and DATA."""
        s = self._settings
        context = correlation_id_var.set(mail.correlation_id)
        try:
            # Anything that goes wrong with this one mail is this mail's outcome, counted and
            # retried or failed by its rule; the rest of the batch is sent (#15.5).
            try:
                message = build_message(mail, mail_from=s.mail_from)
            except Exception as exc:
                log.exception("mail could not be built", extra={"mail_id": str(mail.id)})
                await before_content()
                return SmtpReply(
                    None, f"the mail could not be built: {_describe(exc)}", permanent=True
                )
            try:
                transaction = await smtp.begin(
                    message, sender=s.mail_from_address, recipient=mail.recipient
                )
            except Exception as exc:
                log.exception("mail envelope failed", extra={"mail_id": str(mail.id)})
                await smtp.close()  # the conversation's state is unknown: start afresh
                await before_content()
                return SmtpReply(None, f"the envelope could not be sent: {_describe(exc)}")
            # At most one delivered mail is ever unrecorded: the one whose reply is in hand.
            await before_content()
            try:
                return await smtp.deliver(transaction)
            except Exception as exc:
                log.exception("mail content failed", extra={"mail_id": str(mail.id)})
                await smtp.close()
                return SmtpReply(None, f"the content could not be sent: {_describe(exc)}")
        finally:
            correlation_id_var.reset(context)

    def _record_in_background(
        self, mail: Mail, token: uuid.UUID, reply: SmtpReply
    ) -> asyncio.Task[MailStatus | None]:
        """Record the try in a task of its own, logged under the mail's correlation id."""
        context = correlation_id_var.set(mail.correlation_id)
        try:
            return asyncio.create_task(self._record(mail, token, reply))
        finally:
            correlation_id_var.reset(context)

    async def _record(self, mail: Mail, token: uuid.UUID, reply: SmtpReply) -> MailStatus | None:
        status = await delivery.record_attempt(
            self._uow(),
            mail=mail,
            token=token,
            reply=reply,
            policy=self._policy,
            clock=self._clock,
        )
        _log_attempt(mail, status, reply)
        return status

    async def _release(self, mails: list[Mail], token: uuid.UUID, reply: SmtpReply) -> None:
        self._unavailable += 1
        SMTP_UNAVAILABLE.inc()
        log.warning(
            "SMTP server unavailable, mails wait",
            extra={"reply": str(reply), "mails": len(mails), "failures": self._unavailable},
        )
        await delivery.release_mails(
            self._uow(),
            mails=mails,
            token=token,
            reply=reply,
            delay_s=self._policy.delay(self._unavailable),
            clock=self._clock,
        )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _log_attempt(mail: Mail, status: MailStatus | None, reply: SmtpReply) -> None:
    extra = {"mail_id": str(mail.id), "status": status, "reply": str(reply)}
    if status is None:
        log.warning("mail claim was taken over while sending; its new holder decides", extra=extra)
    elif status is MailStatus.SENT:
        log.info("mail sent", extra=extra)
    else:
        log.warning("mail not delivered", extra=extra)
