"""A mail's life and identity: statuses and their transitions, addresses, Message-IDs, language."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.notifications.domain.errors import MAIL_TRANSITION_FORBIDDEN

DEFAULT_LANGUAGE = "fi"

# The last reply recorded on a mail that was never sent because its address is suppressed.
SUPPRESSED_REPLY = "not sent: the address is on the suppression list"

# Fixed namespace of this system's Message-IDs: the same key gives the same id for ever.
MESSAGE_ID_NAMESPACE = uuid.UUID("6f1c3a52-9a0e-4d0c-8a55-4b2f0b7e1d3c")


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


def require_transition(current: MailStatus, target: MailStatus) -> None:
    """Refuse (Conflict `mail_transition_forbidden`) a move the state machine does not allow."""
    if not can_transition(current, target):
        raise MAIL_TRANSITION_FORBIDDEN(
            f"A mail in status `{current}` cannot become `{target}`."
            + (f" `{current}` is final." if current in FINAL_STATUSES else "")
        )


@dataclass(frozen=True)
class NewMail:
    """A rendered mail to store in the outbox, unique by (event, recipient, template)."""

    event_id: uuid.UUID
    recipient: str
    template: str
    language: str
    message_id: str
    subject: str
    body_text: str
    body_html: str
    correlation_id: str
    status: MailStatus
    created_at: datetime
    registration_id: uuid.UUID | None = None
    business_id: str | None = None
    calendar: str | None = None
    calendar_method: str | None = None
    resend_of: uuid.UUID | None = None
    last_reply: str | None = None
    next_attempt_at: datetime | None = None
    render_context: str | None = None
    session_id: uuid.UUID | None = None
    enrolment_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Rendition:
    """A mail rendered (again): what to store, and the context it was rendered from."""

    template: str
    language: str
    subject: str
    body_text: str
    body_html: str
    render_context: str | None = None
    calendar: str | None = None
    calendar_method: str | None = None


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
