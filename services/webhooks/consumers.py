"""Events the webhooks service consumes, and the use case each one calls.

Three work queues, as notifications has: `registrations` (every `registration.*` snapshot:
the owner read model, and deliveries), `extension` (notices, deployment tests, customership:
each names its business ID) and `scheduling` (the enrolment changes of contacts, attributed
through the read model). Every type bound here is a subscribable one (`domain.catalogue`).
"""

from __future__ import annotations

from collections.abc import Callable

from services.webhooks.adapters.uow import WebhooksUnitOfWork
from services.webhooks.app import fanout
from services.webhooks.domain.catalogue import KINDS
from services.webhooks.settings import WebhooksSettings
from shared.clock import Clock
from shared.contracts import registration as reg
from shared.contracts import scheduling as sch
from shared.events import Envelope, EventPayload
from shared.runtime import ConsumerSpec, Route, on

UoW = WebhooksUnitOfWork


def consumer_specs(
    *, settings: WebhooksSettings, clock: Clock, on_queued: Callable[[], None]
) -> list[ConsumerSpec[UoW]]:
    """The webhooks service's work queues and the use case of each event type."""

    async def registration_event(uow: UoW, event: reg.RegistrationEvent, e: Envelope) -> None:
        await fanout.on_registration_event(
            uow, event, e, settings=settings, clock=clock, on_queued=on_queued
        )

    async def owned_event(uow: UoW, event: EventPayload, e: Envelope) -> None:
        await fanout.on_owned_event(
            uow, event, e, settings=settings, clock=clock, on_queued=on_queued
        )

    async def enrolment_event(uow: UoW, event: sch.EnrolmentEvent, e: Envelope) -> None:
        await fanout.on_enrolment_event(
            uow, event, e, settings=settings, clock=clock, on_queued=on_queued
        )

    registrations: list[Route[UoW]] = []
    extension: list[Route[UoW]] = []
    scheduling: list[Route[UoW]] = []
    for kind in KINDS:
        model = kind.model
        if issubclass(model, reg.RegistrationEvent):
            registrations.append(on(model, registration_event))
        elif issubclass(model, sch.EnrolmentEvent):
            scheduling.append(on(model, enrolment_event))
        else:
            extension.append(on(model, owned_event))
    return [
        ConsumerSpec.of("registrations", registrations),
        ConsumerSpec.of("extension", extension),
        ConsumerSpec.of("scheduling", scheduling),
    ]
