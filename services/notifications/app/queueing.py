"""Storing rendered mails in the mail outbox, once per (event, recipient, template).

A second run for the same event queues nothing (the unique key); an address on the
suppression list gets a `suppressed` row instead of a send. Runs in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.notifications.adapters.rendering.render import RenderedMail
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app.mailer import Mailer
from services.notifications.domain.mail import (
    SUPPRESSED_REPLY,
    MailStatus,
    NewMail,
    message_id,
    normalise_address,
)
from shared.events import Envelope

T = TypeVar("T")


@dataclass(frozen=True)
class Outgoing:
    """One mail to queue: to whom, what, and whose it is."""

    recipient: str
    rendered: RenderedMail
    registration_id: uuid.UUID | None
    business_id: str | None
    calendar: str | None = None
    calendar_method: str | None = None
    # What it was rendered from, so a staff resend can render it again (#14.4).
    render_context: str | None = None
    session_id: uuid.UUID | None = None
    enrolment_id: uuid.UUID | None = None


def unique_addresses(pairs: Iterable[tuple[str, T]]) -> Iterable[tuple[str, T]]:
    """One entry per normalised address: the first wins."""
    seen: set[str] = set()
    for address, item in pairs:
        key = normalise_address(address)
        if key not in seen:
            seen.add(key)
            yield key, item


async def queue_mails(
    uow: NotificationsUnitOfWork,
    *,
    envelope: Envelope,
    outgoing: list[Outgoing],
    mailer: Mailer,
    now: datetime,
) -> int:
    """Store rendered mails caused by `envelope`; return how many are new and will be sent."""
    suppressed = await uow.suppressions.find_among(emails={mail.recipient for mail in outgoing})
    queued = 0
    for out in outgoing:
        blocked = out.recipient in suppressed
        mail = NewMail(
            event_id=envelope.event_id,
            recipient=out.recipient,
            template=out.rendered.template,
            language=out.rendered.language,
            message_id=message_id(
                event_id=envelope.event_id,
                recipient=out.recipient,
                template=out.rendered.template,
                domain=mailer.message_id_domain,
            ),
            subject=out.rendered.subject,
            body_text=out.rendered.text,
            body_html=out.rendered.html,
            calendar=out.calendar,
            calendar_method=out.calendar_method,
            render_context=out.render_context,
            session_id=out.session_id,
            enrolment_id=out.enrolment_id,
            registration_id=out.registration_id,
            business_id=out.business_id[:20] if out.business_id else None,
            correlation_id=envelope.correlation_id,
            status=MailStatus.SUPPRESSED if blocked else MailStatus.QUEUED,
            last_reply=SUPPRESSED_REPLY if blocked else None,
            next_attempt_at=None if blocked else now,
            created_at=now,
        )
        if await uow.mails.add(mail=mail) is not None and not blocked:
            queued += 1
    if queued:
        uow.after_commit(mailer.on_queued)
    return queued
