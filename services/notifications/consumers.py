"""Events the notifications service consumes, and the use case each one calls.

Three work queues: `registrations` (every `registration.*` event), `scheduling` (periods,
sessions, enrolments) and `extension` (the extension-of-use events that mail someone: notices
and deployment tests; `customership.formed` mails nobody, so it is not bound). Every type
bound here is a registered contract, so a message of any other type, or one that does not
validate, goes to the dead-letter queue with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.notifications import extension_mails, registration_mails, session_mails
from services.notifications.queueing import Mailer
from shared.contracts import extension as ext
from shared.contracts import registration as reg
from shared.contracts import scheduling as sch
from shared.events import Envelope, EventPayload
from shared.messaging.inbox import Handler
from shared.runtime import ConsumerSpec
from shared.uow import UnitOfWork

P = TypeVar("P", bound=EventPayload)

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


def _typed(
    model: type[P], use_case: Callable[[UnitOfWork, P, Envelope], Awaitable[object]]
) -> Handler:
    """A consumer handler that hands `use_case` the payload as the model it was parsed into."""

    async def handle(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        if not isinstance(payload, model):
            raise TypeError(f"expected {model.__name__}, got {type(payload).__name__}")
        await use_case(uow, payload, envelope)

    return handle


def consumer_specs(*, mailer: Mailer) -> list[ConsumerSpec]:
    """The notifications service's work queues and the handler of each event type."""

    async def registration_event(
        uow: UnitOfWork, event: reg.RegistrationEvent, envelope: Envelope
    ) -> None:
        await registration_mails.on_registration_event(uow, event, envelope, mailer=mailer)

    async def period_event(
        uow: UnitOfWork, event: sch.PeriodPublished | sch.PeriodUpdated, envelope: Envelope
    ) -> None:
        await session_mails.on_period_event(uow, event, envelope)

    async def session_published(
        uow: UnitOfWork, event: sch.SessionPublished, envelope: Envelope
    ) -> None:
        await session_mails.on_session_published(uow, event.session, envelope)

    async def session_changed(
        uow: UnitOfWork, event: sch.SessionRescheduled | sch.SessionCancelled, envelope: Envelope
    ) -> None:
        await session_mails.on_session_changed(uow, event, envelope, mailer=mailer)

    async def enrolment_event(
        uow: UnitOfWork, event: sch.EnrolmentEvent, envelope: Envelope
    ) -> None:
        await session_mails.on_enrolment_event(uow, event, envelope, mailer=mailer)

    async def notice_received(
        uow: UnitOfWork, event: ext.NoticeReceived, envelope: Envelope
    ) -> None:
        await extension_mails.on_notice_received(uow, event, envelope, mailer=mailer)

    async def deployment_test_event(
        uow: UnitOfWork, event: ext.DeploymentTestEvent, envelope: Envelope
    ) -> None:
        await extension_mails.on_deployment_test_event(uow, event, envelope, mailer=mailer)

    scheduling: dict[str, Handler] = {
        sch.PeriodPublished.event_type: _typed(sch.PeriodPublished, period_event),
        sch.PeriodUpdated.event_type: _typed(sch.PeriodUpdated, period_event),
        sch.SessionPublished.event_type: _typed(sch.SessionPublished, session_published),
        sch.SessionRescheduled.event_type: _typed(sch.SessionRescheduled, session_changed),
        sch.SessionCancelled.event_type: _typed(sch.SessionCancelled, session_changed),
    }
    scheduling.update({m.event_type: _typed(m, enrolment_event) for m in ENROLMENT_EVENTS})
    extension: dict[str, Handler] = {
        ext.NoticeReceived.event_type: _typed(ext.NoticeReceived, notice_received),
    }
    extension.update(
        {m.event_type: _typed(m, deployment_test_event) for m in DEPLOYMENT_TEST_EVENTS}
    )
    return [
        ConsumerSpec(
            name="registrations",
            handlers={m.event_type: _typed(m, registration_event) for m in REGISTRATION_EVENTS},
        ),
        ConsumerSpec(name="scheduling", handlers=scheduling),
        ConsumerSpec(name="extension", handlers=extension),
    ]
