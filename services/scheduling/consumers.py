"""Events the scheduling service consumes, and the handler of each."""

from __future__ import annotations

from services.scheduling import handlers
from shared.contracts.registration import RegistrationSubmitted
from shared.runtime import ConsumerSpec


def consumer_specs() -> list[ConsumerSpec]:
    """The scheduling service's work queues and their handlers."""
    return [
        ConsumerSpec(
            name="registrations",
            handlers={RegistrationSubmitted.event_type: handlers.record_submitted_registration},
        )
    ]
