"""The local read model of the scheduling service's periods, fed by `period.*` events."""

from __future__ import annotations

from typing import Any

from services.registration.app import views
from services.registration.app.guards import record_change
from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import RegistrationRecord
from services.registration.domain import errors, rules
from shared.contracts.registration import RegistrationUpdated
from shared.contracts.scheduling import PeriodInfo
from shared.events import Envelope

R7 = errors.PRODUCTION_AFTER_PERIOD.code


async def record_period(uow: RegistrationUoW, payload: PeriodInfo, envelope: Envelope) -> None:
    """Keep a published or updated period in the read model; an older event changes nothing.

    Then R7 is checked again for every open registration of the period (issue 14.5)."""
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
    window = views.window_of(period)
    assert window is not None
    for row in await uow.registrations.list_open_in_period(year=period.year, number=period.number):
        _recheck_r7(uow, row, window)


def _recheck_r7(uow: RegistrationUoW, row: RegistrationRecord, window: rules.PeriodWindow) -> None:
    """R7 again after the period changed (issue 14.5): a production start past the new end
    gets the warning, one back inside loses it; the change is the registration's, with its
    history entry and a `registration.updated` that tells the organisation and staff."""
    kept = [w for w in row.warnings if w.get("code") != R7]
    now_r7 = [
        {"code": w.code, "message": w.message}
        for w in rules.r7_warnings(row.planned_production_start, window)
    ]
    warnings: list[dict[str, Any]] = kept + now_r7
    if warnings == row.warnings:
        return
    old = row.warnings
    row.warnings, row.has_warnings = warnings, bool(warnings)
    record_change(row, at=uow.clock.now())
    uow.registrations.add_history(
        registration_id=row.id,
        at=row.updated_at,
        actor_client_id="scheduling",
        actor_role="system",
        actor_name="Period changed",
        action="period_updated",
        from_state=row.state,
        to_state=row.state,
        changes={"warnings": {"old": old, "new": warnings}},
        note=None,
    )
    uow.emit(
        RegistrationUpdated(
            **views.registration_snapshot(row), changed=["warnings"], previous_state=row.state
        )
    )
