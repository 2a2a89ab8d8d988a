"""Events the notifications service consumes, and the use case each one calls.

Three work queues: `registrations` (every `registration.*` event), `scheduling` (periods,
sessions, enrolments) and `extension` (the extension-of-use events that mail someone: notices
and deployment tests; `customership.formed` mails nobody, so it is not bound). Every type
bound here is a registered contract, so a message of any other type, or one that does not
validate, goes to the dead-letter queue with the reason.
"""

from __future__ import annotations

from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app import extension_mails, registration_mails, session_mails
from services.notifications.app.mailer import Mailer
from shared.clock import Clock
from shared.contracts import extension as ext
from shared.contracts import registration as reg
from shared.contracts import scheduling as sch
from shared.events import Envelope
from shared.runtime import ConsumerSpec, on

UoW = NotificationsUnitOfWork

REGISTRATION_EVENTS: tuple[type[reg.RegistrationEvent], ...] = (
    reg.RegistrationSubmitted,
    reg.RegistrationUpdated,
    reg.RegistrationAccepted,
    reg.RegistrationRejected,
    reg.RegistrationReturned,
    reg.RegistrationMoved,
    reg.RegistrationWithdrawn,
    reg.RegistrationDeployed,
    reg.RegistrationCompleted,
)
ENROLMENT_EVENTS: tuple[type[sch.EnrolmentEvent], ...] = (
    sch.EnrolmentConfirmed,
    sch.EnrolmentWaitlisted,
    sch.EnrolmentPromoted,
    sch.EnrolmentCancelled,
    sch.SessionReminderDue,
)
DEPLOYMENT_TEST_EVENTS: tuple[type[ext.DeploymentTestEvent], ...] = (
    ext.DeploymentTestSucceeded,
    ext.DeploymentTestReportReminderDue,
    ext.DeploymentTestReportOverdue,
)


def consumer_specs(*, mailer: Mailer, clock: Clock) -> list[ConsumerSpec[UoW]]:
    """The notifications service's work queues and the use case of each event type."""

    async def registration_event(uow: UoW, event: reg.RegistrationEvent, e: Envelope) -> None:
        await registration_mails.on_registration_event(uow, event, e, mailer=mailer, clock=clock)

    async def period_event(
        uow: UoW, event: sch.PeriodPublished | sch.PeriodUpdated, e: Envelope
    ) -> None:
        await session_mails.on_period_event(uow, event, e, clock=clock)

    async def session_published(uow: UoW, event: sch.SessionPublished, e: Envelope) -> None:
        await session_mails.on_session_published(uow, event.session, e, clock=clock)

    async def session_changed(
        uow: UoW, event: sch.SessionRescheduled | sch.SessionCancelled, e: Envelope
    ) -> None:
        await session_mails.on_session_changed(uow, event, e, mailer=mailer, clock=clock)

    async def enrolment_event(uow: UoW, event: sch.EnrolmentEvent, e: Envelope) -> None:
        await session_mails.on_enrolment_event(uow, event, e, mailer=mailer, clock=clock)

    async def notice_received(uow: UoW, event: ext.NoticeReceived, e: Envelope) -> None:
        await extension_mails.on_notice_received(uow, event, e, mailer=mailer, clock=clock)

    async def deployment_test_event(uow: UoW, event: ext.DeploymentTestEvent, e: Envelope) -> None:
        await extension_mails.on_deployment_test_event(uow, event, e, mailer=mailer, clock=clock)

    return [
        ConsumerSpec.of("registrations", [on(m, registration_event) for m in REGISTRATION_EVENTS]),
        ConsumerSpec.of(
            "scheduling",
            [
                on(sch.PeriodPublished, period_event),
                on(sch.PeriodUpdated, period_event),
                on(sch.SessionPublished, session_published),
                on(sch.SessionRescheduled, session_changed),
                on(sch.SessionCancelled, session_changed),
                *(on(m, enrolment_event) for m in ENROLMENT_EVENTS),
            ],
        ),
        ConsumerSpec.of(
            "extension",
            [
                on(ext.NoticeReceived, notice_received),
                *(on(m, deployment_test_event) for m in DEPLOYMENT_TEST_EVENTS),
            ],
        ),
    ]
