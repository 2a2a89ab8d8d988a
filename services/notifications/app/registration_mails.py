"""Mails of the registration events, to every contact of the snapshot (and staff, when new).

Every `registration.*` event also refreshes whose registration it is (the read model that
lets enrolment mails carry the organisation's business ID).
"""

from __future__ import annotations

import logging
from typing import Any

from services.notifications.adapters.rendering.contexts import (
    DecisionContext,
    PeriodDates,
    ReceiptContext,
)
from services.notifications.adapters.rendering.render import render
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app.mailer import Mailer
from services.notifications.app.queueing import Outgoing, queue_mails, unique_addresses
from services.notifications.domain.mail import normalise_address
from services.notifications.domain.sessions import audience_includes
from shared.clock import Clock, helsinki_date
from shared.contracts.registration import (
    RegistrationEvent,
    RegistrationMoved,
    RegistrationRejected,
    RegistrationReturned,
    RegistrationSubmitted,
)
from shared.events import Envelope

log = logging.getLogger(__name__)

# The mail each registration event sends its contacts; events not named here send none.
REGISTRATION_TEMPLATES = {
    "registration.submitted": "registration_received",
    "registration.accepted": "registration_accepted",
    "registration.rejected": "registration_rejected",
    "registration.returned": "registration_returned",
    "registration.moved": "registration_moved",
    "registration.withdrawn": "registration_withdrawn",
}


async def on_registration_event(
    uow: NotificationsUnitOfWork,
    event: RegistrationEvent,
    envelope: Envelope,
    *,
    mailer: Mailer,
    clock: Clock,
) -> int:
    """Remember whose registration it is and mail its contacts (and staff, when new)."""
    now = clock.now()
    today = helsinki_date(now)
    current = await uow.read_models.remember_registration(
        registration_id=event.registration_id,
        business_id=event.organisation.business_id,
        organisation_name=event.organisation.name,
        revision=event.revision,
        now=now,
    )
    if not current:
        # #14.1: an older snapshot that arrived after a newer one (a retried `accepted`
        # after `withdrawn`) tells nobody anything: the newer state was mailed already.
        log.info(
            "older registration snapshot ignored",
            extra={"registration_id": str(event.registration_id), "revision": event.revision},
        )
        return 0
    # Enrolment mails that arrived before this registration's first event become visible
    # to their organisation now.
    await uow.mails.assign_business_id(
        registration_id=event.registration_id,
        business_id=event.organisation.business_id,
        keep="registration_staff_copy",
    )
    template = REGISTRATION_TEMPLATES.get(envelope.event_type)
    if template is None:
        return 0
    known = await uow.read_models.find_period(year=event.period.year, number=event.period.number)
    dates = PeriodDates(starts_on=known.starts_on, ends_on=known.ends_on) if known else None
    summary: dict[str, Any] = {
        "organisation_name": event.organisation.name,
        "business_id": event.organisation.business_id,
        "registration_id": event.registration_id,
        "service": event.service,
        "period": event.period,
        "period_dates": dates,
    }
    decision: dict[str, Any] = {}
    if template != "registration_received":
        decision = await _decision(uow, event)
    outgoing: list[Outgoing] = []
    for address, contact in unique_addresses((str(c.email), c) for c in event.contacts):
        context = _registration_context(event, summary, decision, contact_name=contact.name)
        outgoing.append(
            Outgoing(
                recipient=address,
                rendered=render(
                    template,
                    context,
                    language=contact.language,
                    today=today,
                    contact=mailer.contact_address,
                ),
                registration_id=event.registration_id,
                business_id=event.organisation.business_id,
                render_context=context.model_dump_json(),
            )
        )
    if isinstance(event, RegistrationSubmitted) and mailer.staff_mailbox:
        context = _registration_context(event, summary, {}, contact_name="", staff_copy=True)
        outgoing.append(
            Outgoing(
                recipient=normalise_address(mailer.staff_mailbox),
                # In the staff mailbox's language, with the contacts and the warnings (#14.6).
                rendered=render(
                    "registration_staff_copy",
                    context,
                    language=mailer.staff_language,
                    today=today,
                    contact=mailer.contact_address,
                ),
                registration_id=event.registration_id,
                business_id=None,  # an internal mail: staff read it, the organisation does not
                render_context=context.model_dump_json(),
            )
        )
    return await queue_mails(uow, envelope=envelope, outgoing=outgoing, mailer=mailer, now=now)


def _registration_context(
    event: RegistrationEvent,
    summary: dict[str, Any],
    decision: dict[str, Any],
    *,
    contact_name: str,
    staff_copy: bool = False,
) -> ReceiptContext | DecisionContext:
    if isinstance(event, RegistrationSubmitted):
        return ReceiptContext(
            contact_name=contact_name,
            **summary,
            planned_production_start=event.planned_production_start,
            registration_required=event.registration_required,
            warnings=event.warnings,
            submitted_at=event.submitted_at,
            staff_copy=staff_copy,
            contacts=event.contacts if staff_copy else [],
        )
    return DecisionContext(contact_name=contact_name, **summary, **decision)


async def _decision(uow: NotificationsUnitOfWork, event: RegistrationEvent) -> dict[str, Any]:
    """The variables particular to a decision mail: the note, the old period, the sessions."""
    note: str | None = None
    if isinstance(event, RegistrationRejected | RegistrationReturned | RegistrationMoved):
        note = event.note
    sessions = await uow.read_models.find_scheduled_sessions(
        year=event.period.year, number=event.period.number
    )
    domain = event.organisation.domain
    return {
        "note": note,
        "from_period": event.from_period if isinstance(event, RegistrationMoved) else None,
        "sessions": [
            s
            for s in sessions
            if audience_includes(
                services=s.audience.services,
                domains=s.audience.domains,
                service=event.service,
                domain=domain,
            )
        ],
    }
