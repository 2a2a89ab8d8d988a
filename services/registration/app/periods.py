"""The local read model of the scheduling service's periods, fed by `period.*` events."""

from __future__ import annotations

from services.registration.app.ports import RegistrationUoW
from shared.contracts.scheduling import PeriodInfo
from shared.events import Envelope


async def record_period(uow: RegistrationUoW, payload: PeriodInfo, envelope: Envelope) -> None:
    """Keep a published or updated period in the read model; an older event changes nothing."""
    renamed = await uow.periods.get_by_id(period_id=payload.period_id)
    if renamed is not None and (renamed.year, renamed.number) != (payload.year, payload.number):
        # Staff renumbered the period: it lives under its new year/number from now on.
        if renamed.source_occurred_at > envelope.occurred_at:
            return
        await uow.periods.remove(year=renamed.year, number=renamed.number)
    existing = await uow.periods.get(year=payload.year, number=payload.number)
    if existing is not None and existing.source_occurred_at > envelope.occurred_at:
        return
    now = uow.clock.now()
    period = existing or uow.periods.new(
        year=payload.year,
        number=payload.number,
        period_id=payload.period_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        registration_opens_on=payload.registration_opens_on,
        registration_closes_on=payload.registration_closes_on,
        source_occurred_at=envelope.occurred_at,
        received_at=now,
    )
    period.period_id = payload.period_id
    period.starts_on = payload.starts_on
    period.ends_on = payload.ends_on
    period.registration_opens_on = payload.registration_opens_on
    period.registration_closes_on = payload.registration_closes_on
    period.source_occurred_at = envelope.occurred_at
    period.received_at = now
