"""Events the registration service consumes: the scheduling service's periods (read model)."""

from __future__ import annotations

from services.registration.adapters.uow import RegistrationUnitOfWork
from services.registration.app.periods import record_period
from shared.contracts.scheduling import PeriodInfo, PeriodPublished, PeriodUpdated
from shared.events import Envelope
from shared.runtime import ConsumerSpec, on


async def _period(uow: RegistrationUnitOfWork, payload: PeriodInfo, envelope: Envelope) -> None:
    await record_period(uow, payload, envelope)


def consumer_specs() -> list[ConsumerSpec[RegistrationUnitOfWork]]:
    """The registration service's work queues and their use cases."""
    return [ConsumerSpec.of("periods", [on(PeriodPublished, _period), on(PeriodUpdated, _period)])]
