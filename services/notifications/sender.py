"""The mail sender: a background task that sends due mails from the `mails` outbox.

Each pass claims a batch of due mails (lease + claim token; `FOR UPDATE SKIP LOCKED` on
PostgreSQL), sends them over one SMTP session and records each outcome on its own. That
record runs while the next mail is built and the server answers its envelope (MAIL FROM,
RCPT TO); the next mail's content goes only once the record has committed, so a crash
re-sends at most the one mail whose reply was in hand (with the same Message-ID). A mail
whose sender died stays `sending` until its lease ends, then is claimed again. The sender
wakes on its doorbell (rung after a commit that queued mails) or every
`mail_poll_interval_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.notifications import handlers
from services.notifications.domain import MailStatus, RetryPolicy, SmtpReply, classify_reply
from services.notifications.metrics import MAIL_OUTCOMES, SMTP_UNAVAILABLE
from services.notifications.mime import build_message
from services.notifications.models import Mail
from services.notifications.settings import NotificationsSettings
from services.notifications.smtp import SmtpSession, SmtpUnavailable
from shared.context import correlation_id_var
from shared.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class Doorbell:
    """Wakes the sender early; a ring while it is busy is kept for its next wait."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        """Wake the sender now (or as soon as it next waits)."""
        self._event.set()

    async def wait(self, timeout: float) -> None:
        """Return when rung (now, if rung since the last wait) or after `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()


@dataclass(frozen=True)
class PassOutcome:
    """What one sending pass did, by resulting status."""

    claimed: int
    statuses: dict[MailStatus, int]


class MailSender:
    """Sends due mails until cancelled."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        settings: NotificationsSettings,
        doorbell: Doorbell,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._uow = uow_factory
        self._settings = settings
        self._doorbell = doorbell
        self._policy = RetryPolicy(
            max_attempts=settings.mail_max_attempts,
            base_s=settings.mail_retry_base_s,
            max_s=settings.mail_retry_max_s,
            rand=rand,
        )
        # Consecutive passes that could not open an SMTP session: the back-off of an outage.
        self._unavailable = 0

    async def run(self) -> None:
        """Send passes until cancelled; a failing pass is logged and retried, never fatal."""
        while True:
            try:
                outcome = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mail sending pass failed")
                outcome = PassOutcome(0, {})
            if outcome.claimed >= self._settings.mail_batch_size and not self._unavailable:
                continue
            await self._doorbell.wait(self._settings.mail_poll_interval_s)

    async def send_due(self) -> PassOutcome:
        """Claim one batch of due mails, send them over one session, record each outcome."""
        s = self._settings
        claim = await handlers.claim_due_mails(
            self._uow(), limit=s.mail_batch_size, lease_s=s.mail_claim_ttl_s
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
                        await handlers.suppress_mail(self._uow(), mail=mail, token=claim.token)
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
            transaction = await smtp.begin(
                build_message(mail, mail_from=s.mail_from),
                sender=s.mail_from_address,
                recipient=mail.recipient,
            )
            # At most one delivered mail is ever unrecorded: the one whose reply is in hand.
            await before_content()
            return await smtp.deliver(transaction)
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
        status = await handlers.record_attempt(
            self._uow(), mail=mail, token=token, reply=reply, policy=self._policy
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
        await handlers.release_mails(
            self._uow(),
            mails=mails,
            token=token,
            reply=reply,
            delay_s=self._policy.delay(self._unavailable),
        )


def _log_attempt(mail: Mail, status: MailStatus | None, reply: SmtpReply) -> None:
    extra = {"mail_id": str(mail.id), "status": status, "reply": str(reply)}
    if status is None:
        log.warning("mail claim was taken over while sending; its new holder decides", extra=extra)
    elif status is MailStatus.SENT:
        log.info("mail sent", extra=extra)
    else:
        log.warning("mail not delivered", extra=extra)
