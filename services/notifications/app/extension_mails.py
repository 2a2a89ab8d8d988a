"""Mails of the extension-of-use events (R8–R10): notices to Kela, deployment-test reports.

A notice routed to Kela goes to Kela's mailbox (in Finnish); a successful deployment test and
the reminder before its report deadline go to the organisation's contacts in their language;
an overdue report is flagged to the staff mailbox. Every mail carries the organisation's
business ID (and the registration's id where the event has one), so the organisation can
read its own deliveries.
"""

from __future__ import annotations

from services.notifications.adapters.rendering.contexts import (
    DeploymentTestContext,
    NoticeContext,
)
from services.notifications.adapters.rendering.render import render
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app.mailer import Mailer
from services.notifications.app.queueing import Outgoing, queue_mails, unique_addresses
from services.notifications.domain.mail import DEFAULT_LANGUAGE, normalise_address
from shared.clock import Clock
from shared.contracts.extension import (
    DeploymentTestEvent,
    DeploymentTestReportOverdue,
    NoticeReceived,
)
from shared.events import Envelope

NOTICE_TEMPLATE = "notice_to_kela"

# The mail each deployment-test event sends; events not named here send none.
DEPLOYMENT_TEST_TEMPLATES = {
    "deployment_test.succeeded": "deployment_test_succeeded",
    "deployment_test.report_reminder_due": "deployment_test_report_reminder",
    "deployment_test.report_overdue": "deployment_test_report_overdue",
}


async def on_notice_received(
    uow: NotificationsUnitOfWork,
    event: NoticeReceived,
    envelope: Envelope,
    *,
    mailer: Mailer,
    clock: Clock,
) -> int:
    """R9: forward a notice Kela must be told of to Kela's mailbox; others mail nobody."""
    if not event.routed_to_kela or not event.kela_mailbox or not event.kela_mailbox.strip():
        return 0
    context = NoticeContext(
        contact_name="",
        notice_id=event.notice_id,
        kind=event.kind,
        business_id=event.business_id,
        organisation_name=event.organisation_name,
        details=event.details,
        effective_on=event.effective_on,
    )
    mail = Outgoing(
        recipient=normalise_address(event.kela_mailbox),
        rendered=render(
            NOTICE_TEMPLATE,
            context,
            language=mailer.staff_language or DEFAULT_LANGUAGE,
            today=clock.today(),
            contact=mailer.contact_address,
        ),
        registration_id=None,  # a notice concerns the organisation, not one registration
        business_id=None,  # Kela's internal mail: not among the organisation's deliveries
        render_context=context.model_dump_json(),
    )
    return await queue_mails(
        uow, envelope=envelope, outgoing=[mail], mailer=mailer, now=clock.now()
    )


async def on_deployment_test_event(
    uow: NotificationsUnitOfWork,
    event: DeploymentTestEvent,
    envelope: Envelope,
    *,
    mailer: Mailer,
    clock: Clock,
) -> int:
    """R10: tell the contacts to report a successful test (and remind them); flag overdue."""
    template = DEPLOYMENT_TEST_TEMPLATES.get(envelope.event_type)
    if template is None:
        return 0
    today = clock.today()  # "today", "tomorrow", and no past day given as a deadline

    def context(contact_name: str) -> DeploymentTestContext:
        return DeploymentTestContext(
            contact_name=contact_name,
            organisation_name=event.organisation_name,
            business_id=event.business_id,
            registration_id=event.registration_id,
            service=event.service,
            tested_on=event.tested_on,
            report_due_on=event.report_due_on,
        )

    outgoing: list[Outgoing] = []
    if envelope.event_type == DeploymentTestReportOverdue.event_type:  # flagged to staff
        if mailer.staff_mailbox:
            flag = context("")
            outgoing.append(
                Outgoing(
                    recipient=normalise_address(mailer.staff_mailbox),
                    rendered=render(
                        template,
                        flag,
                        language=mailer.staff_language,
                        today=today,
                        contact=mailer.contact_address,
                    ),
                    registration_id=event.registration_id,
                    business_id=None,  # a staff flag: not among the organisation's deliveries
                    render_context=flag.model_dump_json(),
                )
            )
    else:
        for address, contact in unique_addresses((str(c.email), c) for c in event.contacts):
            personal = context(contact.name)
            outgoing.append(
                Outgoing(
                    recipient=address,
                    rendered=render(
                        template,
                        personal,
                        language=contact.language,
                        today=today,
                        contact=mailer.contact_address,
                    ),
                    registration_id=event.registration_id,
                    business_id=event.business_id,
                    render_context=personal.model_dump_json(),
                )
            )
    if not outgoing:
        return 0
    return await queue_mails(
        uow, envelope=envelope, outgoing=outgoing, mailer=mailer, now=clock.now()
    )
