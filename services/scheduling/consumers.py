"""Events the scheduling service consumes, and the use case each one calls."""

from __future__ import annotations

from services.scheduling.adapters.uow import SchedulingUnitOfWork
from services.scheduling.app.policy import Policy
from services.scheduling.app.registrations import apply_registration_event
from shared.clock import Clock
from shared.contracts.registration import (
    RegistrationAccepted,
    RegistrationCompleted,
    RegistrationDeployed,
    RegistrationEvent,
    RegistrationMoved,
    RegistrationRejected,
    RegistrationReturned,
    RegistrationSubmitted,
    RegistrationUpdated,
    RegistrationWithdrawn,
)
from shared.events import Envelope
from shared.runtime import ConsumerSpec, on

REGISTRATION_EVENTS = (
    RegistrationSubmitted,
    RegistrationUpdated,
    RegistrationAccepted,
    RegistrationRejected,
    RegistrationReturned,
    RegistrationMoved,
    RegistrationWithdrawn,
    RegistrationDeployed,
    RegistrationCompleted,
)


def consumer_specs(policy: Policy, clock: Clock) -> list[ConsumerSpec[SchedulingUnitOfWork]]:
    """The scheduling service's work queues and their use cases."""

    async def registration_event(
        uow: SchedulingUnitOfWork, payload: RegistrationEvent, envelope: Envelope
    ) -> None:
        await apply_registration_event(
            uow, policy, payload=payload, clock=clock, occurred_at=envelope.occurred_at
        )

    return [
        ConsumerSpec.of(
            "registrations", [on(event, registration_event) for event in REGISTRATION_EVENTS]
        )
    ]
