"""What an SMTP reply means for a mail, and how patiently a failed try is retried."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from services.notifications.domain.mail import MailStatus

# Replies to RCPT that mean the mailbox does not exist or will never take mail from us:
# 550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed (RFC 5321).
HARD_BOUNCE_CODES = frozenset({550, 551, 553})

# Back-off exponents beyond this are capped anyway; bounding them avoids float overflow.
_MAX_EXPONENT = 60


class Stage(StrEnum):
    """The step of the SMTP conversation a reply answered."""

    CONNECT = "connect"
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"


@dataclass(frozen=True)
class SmtpReply:
    """What the server said at a stage, or (`code=None`) why there was no usable reply.

    Without a code the try is retried (connection lost, timeout) unless `permanent` says our
    side can never send it (an address the server cannot take, say).
    """

    code: int | None
    text: str
    stage: Stage | None = None
    permanent: bool = False

    def __str__(self) -> str:
        if self.code is not None:
            return f"{self.code} {self.text}".strip()
        return f"no reply: {self.text}".strip()


class Verdict(StrEnum):
    """What a reply means for the mail."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True)
class Classification:
    """The verdict on one reply, and whether the recipient's address is to be suppressed."""

    verdict: Verdict
    suppress: bool = False


def classify_reply(reply: SmtpReply) -> Classification:
    """2xx delivered; 4xx and no reply retry; 5xx fail, and a hard bounce on RCPT suppresses."""
    code = reply.code
    if code is None:
        return Classification(Verdict.FAIL if reply.permanent else Verdict.RETRY)
    if 200 <= code < 300:
        return Classification(Verdict.DELIVERED)
    if 500 <= code < 600:
        hard_bounce = reply.stage is Stage.RCPT and code in HARD_BOUNCE_CODES
        return Classification(Verdict.FAIL, suppress=hard_bounce)
    # 4xx, and anything outside the standard classes: try again later.
    return Classification(Verdict.RETRY)


def status_after_attempt(verdict: Verdict, *, attempts: int, max_attempts: int) -> MailStatus:
    """The status after an SMTP try; `attempts` counts that try. Retries end at `max_attempts`."""
    if verdict is Verdict.DELIVERED:
        return MailStatus.SENT
    if verdict is Verdict.FAIL or attempts >= max_attempts:
        return MailStatus.FAILED
    return MailStatus.RETRYING


def retry_delay(
    attempts: int,
    *,
    base_s: float,
    max_s: float,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after the `attempts`-th failed try: exponential, capped, "equal jitter".

    The ceiling doubles per try from `base_s` up to `max_s`; the delay is drawn uniformly
    from its upper half, so retries spread out but never come sooner than half the ceiling.
    """
    if attempts < 1:
        raise ValueError(f"attempts counts failed tries and starts at 1, not {attempts}")
    ceiling = min(max_s, base_s * 2.0 ** min(attempts - 1, _MAX_EXPONENT))
    return ceiling / 2 + ceiling / 2 * rand()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a mail is retried."""

    max_attempts: int
    base_s: float
    max_s: float
    rand: Callable[[], float] = random.random

    def delay(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones."""
        return retry_delay(attempts, base_s=self.base_s, max_s=self.max_s, rand=self.rand)
