"""The local read model of the scheduling service's periods, fed by `period.*` events."""

from __future__ import annotations

from services.registration import repository
from services.registration.models import KnownPeriod
from shared.contracts.scheduling import PeriodInfo
from shared.events import Envelope, EventPayload
from shared.types import utcnow
from shared.uow import UnitOfWork


async def record_period(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
    """Keep a published or updated period in the read model; an older event changes nothing."""
    assert isinstance(payload, PeriodInfo)
    renamed = await repository.get_period_by_id(uow.session, period_id=payload.period_id)
    if renamed is not None and (renamed.year, renamed.number) != (payload.year, payload.number):
        # Staff renumbered the period: it lives under its new year/number from now on.
        if renamed.source_occurred_at > envelope.occurred_at:
            return
        await repository.remove_period(uow.session, period=renamed)
    existing = await repository.get_period(uow.session, year=payload.year, number=payload.number)
    if existing is not None and existing.source_occurred_at > envelope.occurred_at:
        return
    period = existing or KnownPeriod(
        year=payload.year,
        number=payload.number,
        period_id=payload.period_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        registration_opens_on=payload.registration_opens_on,
        registration_closes_on=payload.registration_closes_on,
        source_occurred_at=envelope.occurred_at,
        received_at=utcnow(),
    )
    period.period_id = payload.period_id
    period.starts_on = payload.starts_on
    period.ends_on = payload.ends_on
    period.registration_opens_on = payload.registration_opens_on
    period.registration_closes_on = payload.registration_closes_on
    period.source_occurred_at = envelope.occurred_at
    period.received_at = utcnow()
    repository.put_period(uow.session, period=period)
