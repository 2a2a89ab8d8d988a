"""Which events a subscription can take, whose each one is, and where to re-fetch its object.

Registration, notice, deployment-test and customership events name their organisation's
business ID; an enrolment event names only `participant.registration_id`, which the service's
read model (from `registration.*` snapshots) maps to the business ID. An event is delivered
only to subscriptions of that business ID.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from shared.contracts import extension as ext
from shared.contracts import registration as reg
from shared.contracts import scheduling as sch
from shared.events import EventPayload

Producer = Literal["registration", "scheduling"]


@dataclass(frozen=True)
class EventKind:
    """One subscribable event type."""

    model: type[EventPayload]
    producer: Producer
    # The path (on the producer's API) of the object the event is about.
    path: Callable[[Any], str]
    # The business ID it concerns, or None when only its registration is known.
    business_id: Callable[[Any], str | None]
    registration_id: Callable[[Any], uuid.UUID | None]
    summary: str

    @property
    def event_type(self) -> str:
        return self.model.event_type


def _registration(model: type[reg.RegistrationEvent], summary: str) -> EventKind:
    return EventKind(
        model=model,
        producer="registration",
        path=lambda e: f"/v1/registrations/{e.registration_id}",
        business_id=lambda e: e.organisation.business_id,
        registration_id=lambda e: e.registration_id,
        summary=summary,
    )


def _notice(model: type[ext.NoticeEvent], summary: str) -> EventKind:
    return EventKind(
        model=model,
        producer="registration",
        path=lambda e: f"/v1/notices/{e.notice_id}",
        business_id=lambda e: e.business_id,
        registration_id=lambda e: None,
        summary=summary,
    )


def _test(model: type[ext.DeploymentTestEvent], summary: str) -> EventKind:
    return EventKind(
        model=model,
        producer="registration",
        path=lambda e: f"/v1/deployment-tests/{e.test_id}",
        business_id=lambda e: e.business_id,
        registration_id=lambda e: e.registration_id,
        summary=summary,
    )


def _enrolment(model: type[sch.EnrolmentEvent], summary: str) -> EventKind:
    return EventKind(
        model=model,
        producer="scheduling",
        # Scheduling has no route for one enrolment; its list narrowed to the session and
        # the registration holds it.
        path=lambda e: (
            f"/v1/enrolments?session_id={e.session.session_id}"
            f"&registration_id={e.participant.registration_id}"
        ),
        business_id=lambda e: None,
        registration_id=lambda e: e.participant.registration_id,
        summary=summary,
    )


ALL_KINDS: tuple[EventKind, ...] = (
    _registration(reg.RegistrationSubmitted, "A registration was submitted."),
    _registration(reg.RegistrationUpdated, "The organisation edited a registration."),
    _registration(reg.RegistrationAccepted, "Kela accepted a registration for its period."),
    _registration(reg.RegistrationRejected, "Kela rejected a registration (`note` says why)."),
    _registration(reg.RegistrationReturned, "Kela returned a registration for changes."),
    _registration(reg.RegistrationMoved, "Kela moved a registration to another period."),
    _registration(reg.RegistrationWithdrawn, "The organisation withdrew a registration."),
    _registration(reg.RegistrationDeployed, "Production use started (R7)."),
    _registration(reg.RegistrationCompleted, "The deployment is complete."),
    _notice(ext.NoticeReceived, "Kela received a change notice (R9)."),
    _notice(ext.NoticeAcknowledged, "Kela acknowledged a change notice."),
    _test(ext.DeploymentTestPlanned, "A deployment test was planned (R10)."),
    _test(ext.DeploymentTestSucceeded, "A deployment test succeeded; report within two days."),
    _test(ext.DeploymentTestFailed, "A deployment test failed."),
    _test(ext.DeploymentTestReportReminderDue, "One day left to report a deployment test."),
    _test(ext.DeploymentTestReportOverdue, "A deployment test's report is overdue."),
    _test(ext.DeploymentTestReported, "A deployment test was reported to Kela."),
    EventKind(
        model=ext.CustomershipFormed,
        producer="registration",
        path=lambda e: f"/v1/customerships/{e.business_id}",
        business_id=lambda e: e.business_id,
        registration_id=lambda e: e.registration_id,
        summary="The organisation's Kanta customership formed (R8).",
    ),
    _enrolment(sch.EnrolmentConfirmed, "A contact holds a seat in a session."),
    _enrolment(sch.EnrolmentWaitlisted, "A contact is on a session's waiting list."),
    _enrolment(sch.EnrolmentPromoted, "A contact got a seat from the waiting list."),
    _enrolment(sch.EnrolmentCancelled, "A contact's seat or place in the queue ended."),
)
# Subscribable now: the events published for consumers. Those published only "for the record"
# (`expects_consumers = False`: notice.acknowledged, deployment_test.planned/failed/reported,
# customership.formed) may not have a queue bound to them (tests/unit/test_asyncapi.py), and a
# bound queue would make their publishing mandatory; once their producer flips the flag they
# become subscribable here without another change.
KINDS: tuple[EventKind, ...] = tuple(k for k in ALL_KINDS if k.model.expects_consumers)
BY_TYPE: Mapping[str, EventKind] = {kind.event_type: kind for kind in KINDS}
EVENT_TYPES: tuple[str, ...] = tuple(BY_TYPE)


def unknown_types(event_types: list[str]) -> list[str]:
    """The names among `event_types` that no subscription can take."""
    return [t for t in event_types if t not in BY_TYPE]


def delivery_body(
    kind: EventKind, payload: EventPayload, *, timestamp: str, base_urls: Mapping[str, str]
) -> dict[str, Any]:
    """The JSON body of a webhook: type, version, timestamp and the object, with its link."""
    data = payload.model_dump(mode="json")
    data["links"] = {"self": base_urls[kind.producer].rstrip("/") + kind.path(payload)}
    return {
        "type": kind.event_type,
        "version": kind.model.version,
        "timestamp": timestamp,
        "data": data,
    }
