"""Events the scheduling service consumes, and the handler of each."""

from __future__ import annotations

from services.scheduling.enrolment import registration_handler
from services.scheduling.policy import Policy
from shared.contracts.registration import (
    RegistrationAccepted,
    RegistrationMoved,
    RegistrationRejected,
    RegistrationSubmitted,
    RegistrationUpdated,
    RegistrationWithdrawn,
)
from shared.runtime import ConsumerSpec

REGISTRATION_EVENTS = (
    RegistrationSubmitted,
    RegistrationUpdated,
    RegistrationAccepted,
    RegistrationRejected,
    RegistrationMoved,
    RegistrationWithdrawn,
)


def consumer_specs(policy: Policy | None = None) -> list[ConsumerSpec]:
    """The scheduling service's work queues and their handlers."""
    handle = registration_handler(policy or Policy())
    return [
        ConsumerSpec(
            name="registrations",
            handlers={event.event_type: handle for event in REGISTRATION_EVENTS},
        )
    ]
