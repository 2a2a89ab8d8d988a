"""The consumers' use cases: learn whose each registration is, fan each event out.

Every subscribable event becomes one delivery per subscription of its organisation that
takes its type (active or paused; a paused one holds it until resumed). The body is built
once here and stored, so that every attempt and redelivery sends the same bytes. An
enrolment event names only its registration: while that registration's owner is unknown
(its snapshot is on another queue and may come later) the event is parked, and fanned out
when the snapshot arrives. The inbox commits each handler's transaction with the event id.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from services.webhooks.adapters.uow import WebhooksUnitOfWork
from services.webhooks.app.views import event_types_of
from services.webhooks.domain.catalogue import BY_TYPE, delivery_body
from services.webhooks.settings import WebhooksSettings
from shared.clock import Clock
from shared.contracts import registration as reg
from shared.contracts import scheduling as sch
from shared.events import Envelope, EventPayload, parse_payload


async def fan_out(
    uow: WebhooksUnitOfWork,
    payload: EventPayload,
    envelope: Envelope,
    *,
    business_id: str,
    settings: WebhooksSettings,
    clock: Clock,
    on_queued: Callable[[], None],
) -> int:
    """Queue the event for each subscription of `business_id` that takes it; how many."""
    kind = BY_TYPE[envelope.event_type]
    subscriptions = [
        s
        for s in await uow.subscriptions.taking(business_id=business_id)
        if envelope.event_type in event_types_of(s)
    ]
    if not subscriptions:
        return 0
    body = delivery_body(
        kind,
        payload,
        timestamp=envelope.occurred_at.isoformat().replace("+00:00", "Z"),
        base_urls=settings.base_urls,
    )
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    now = clock.now()
    queued = 0
    for subscription in subscriptions:
        added = await uow.deliveries.add(
            subscription_id=subscription.id,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
            body=text,
            correlation_id=envelope.correlation_id,
            now=now,
        )
        queued += added is not None
    if queued:
        uow.after_commit(on_queued)
    return queued


async def on_registration_event(
    uow: WebhooksUnitOfWork,
    event: reg.RegistrationEvent,
    envelope: Envelope,
    *,
    settings: WebhooksSettings,
    clock: Clock,
    on_queued: Callable[[], None],
) -> int:
    """Remember the registration's owner (highest revision wins), deliver the event, and
    deliver the enrolment events that were waiting for this owner."""
    business_id = event.organisation.business_id
    await uow.registrations.remember(
        registration_id=event.registration_id,
        business_id=business_id,
        revision=event.revision,
        now=clock.now(),
    )
    queued = await fan_out(
        uow,
        event,
        envelope,
        business_id=business_id,
        settings=settings,
        clock=clock,
        on_queued=on_queued,
    )
    for text in await uow.registrations.take_parked(registration_id=event.registration_id):
        parked = Envelope.model_validate_json(text)
        queued += await fan_out(
            uow,
            parse_payload(parked),
            parked,
            business_id=business_id,
            settings=settings,
            clock=clock,
            on_queued=on_queued,
        )
    return queued


async def on_owned_event(
    uow: WebhooksUnitOfWork,
    event: EventPayload,
    envelope: Envelope,
    *,
    settings: WebhooksSettings,
    clock: Clock,
    on_queued: Callable[[], None],
) -> int:
    """A notice, deployment-test or customership event: it names its business ID."""
    business_id = BY_TYPE[envelope.event_type].business_id(event)
    if business_id is None:
        return 0
    return await fan_out(
        uow,
        event,
        envelope,
        business_id=business_id,
        settings=settings,
        clock=clock,
        on_queued=on_queued,
    )


async def on_enrolment_event(
    uow: WebhooksUnitOfWork,
    event: sch.EnrolmentEvent,
    envelope: Envelope,
    *,
    settings: WebhooksSettings,
    clock: Clock,
    on_queued: Callable[[], None],
) -> int:
    """An enrolment of a contact: delivered to the organisation of its registration."""
    registration_id = event.participant.registration_id
    business_id = await uow.registrations.owner(registration_id=registration_id)
    if business_id is None:
        await uow.registrations.park(
            event_id=envelope.event_id,
            registration_id=registration_id,
            envelope=envelope.model_dump_json(),
            now=clock.now(),
        )
        return 0
    return await fan_out(
        uow,
        event,
        envelope,
        business_id=business_id,
        settings=settings,
        clock=clock,
        on_queued=on_queued,
    )
