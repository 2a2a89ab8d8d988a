"""Events the notifications service consumes, and the handler each one calls."""

from __future__ import annotations

from collections.abc import Callable

from services.notifications import handlers
from shared.events import Envelope, EventPayload
from shared.contracts.registration import RegistrationSubmitted
from shared.runtime import ConsumerSpec
from shared.uow import UnitOfWork


def consumer_specs(*, message_id_domain: str, on_queued: Callable[[], None]) -> list[ConsumerSpec]:
    """The notifications service's work queues; `on_queued` runs after a commit that queued mail."""

    async def on_registration_submitted(
        uow: UnitOfWork, payload: EventPayload, envelope: Envelope
    ) -> None:
        if not isinstance(payload, RegistrationSubmitted):
            raise TypeError(f"expected RegistrationSubmitted, got {type(payload).__name__}")
        await handlers.queue_registration_receipts(
            uow, payload, envelope, message_id_domain=message_id_domain, on_queued=on_queued
        )

    return [
        ConsumerSpec(
            name="registrations",
            handlers={RegistrationSubmitted.event_type: on_registration_submitted},
        )
    ]
