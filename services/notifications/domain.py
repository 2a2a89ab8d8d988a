"""Pure rules of mail delivery: statuses, SMTP reply verdicts, back-off, ids. No I/O here."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_LANGUAGE = "fi"

# The last reply recorded on a mail that was never sent because its address is suppressed.
SUPPRESSED_REPLY = "not sent: the address is on the suppression list"

# Fixed namespace of this system's Message-IDs: the same key gives the same id for ever.
MESSAGE_ID_NAMESPACE = uuid.UUID("6f1c3a52-9a0e-4d0c-8a55-4b2f0b7e1d3c")

# Replies to RCPT that mean the mailbox does not exist or will never take mail from us:
# 550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed (RFC 5321).
HARD_BOUNCE_CODES = frozenset({550, 551, 553})

# Back-off exponents beyond this are capped anyway; bounding them avoids float overflow.
_MAX_EXPONENT = 60


class MailStatus(StrEnum):
    """Where a mail is in its life; `sent`, `failed` and `suppressed` are final."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


TRANSITIONS: dict[MailStatus, frozenset[MailStatus]] = {
    MailStatus.QUEUED: frozenset({MailStatus.SENDING, MailStatus.SUPPRESSED}),
    MailStatus.RETRYING: frozenset({MailStatus.SENDING, MailStatus.SUPPRESSED}),
    # `sending` → `sending`: a claim whose sender died is taken over by another.
    MailStatus.SENDING: frozenset(
        {
            MailStatus.SENDING,
            MailStatus.SENT,
            MailStatus.RETRYING,
            MailStatus.FAILED,
            MailStatus.SUPPRESSED,
        }
    ),
    MailStatus.SENT: frozenset(),
    MailStatus.FAILED: frozenset(),
    MailStatus.SUPPRESSED: frozenset(),
}

FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)


def can_transition(current: MailStatus, target: MailStatus) -> bool:
    """True when a mail in `current` may move to `target`."""
    return target in TRANSITIONS[current]


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


def normalise_address(address: str) -> str:
    """The form an address is keyed, suppressed and sent under: trimmed, lower case."""
    return address.strip().lower()


def message_id(*, event_id: uuid.UUID, recipient: str, template: str, domain: str) -> str:
    """The Message-ID of the mail with this unique key: the same key always gives the same id."""
    key = f"{event_id}\n{normalise_address(recipient)}\n{template}"
    return f"<{uuid.uuid5(MESSAGE_ID_NAMESPACE, key)}@{domain}>"


def choose_language(requested: str | None, available: Collection[str]) -> str:
    """The requested language when the mail exists in it, else Finnish."""
    if requested is not None and requested.strip().lower() in available:
        return requested.strip().lower()
    return DEFAULT_LANGUAGE


# Fields of a rescheduled session in the order a mail lists their changes; others follow.
CHANGE_ORDER = ("starts_at", "ends_at", "place", "online_url")


def change_order(fields: Collection[str]) -> list[str]:
    """Changed fields in reading order: time first, then place, then anything else by name."""
    known = [name for name in CHANGE_ORDER if name in fields]
    return known + sorted(name for name in fields if name not in CHANGE_ORDER)


def audience_includes(
    *,
    services: Collection[str] | None,
    domains: Collection[str] | None,
    service: str,
    domain: str,
) -> bool:
    """True when a session is meant for a registration of this service and domain (None: all)."""
    return (services is None or service in services) and (domains is None or domain in domains)
