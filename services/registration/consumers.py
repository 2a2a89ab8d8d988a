"""Events the registration service consumes: the scheduling service's periods (read model)."""

from __future__ import annotations

from services.registration import periods
from shared.contracts.scheduling import PeriodPublished, PeriodUpdated
from shared.runtime import ConsumerSpec


def consumer_specs() -> list[ConsumerSpec]:
    """The registration service's work queues and their handlers."""
    return [
        ConsumerSpec(
            name="periods",
            handlers={
                PeriodPublished.event_type: periods.record_period,
                PeriodUpdated.event_type: periods.record_period,
            },
        )
    ]
