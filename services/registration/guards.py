"""What every use case of a registration shares: who may see it, the period's window, the
duplicate rule's answer, history rows, and how rule failures become problems."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.registration import repository, rules
from services.registration.domain import InvalidTransition
from services.registration.models import Registration, RegistrationHistory
from shared.auth import Principal
from shared.errors import Conflict, NotFound, RuleViolation
from shared.uow import UnitOfWork


def not_found(registration_id: uuid.UUID) -> NotFound:
    """The one answer for a registration that is missing or not the caller's to see."""
    return NotFound(f"No registration {registration_id}.", code="registration_not_found")


def form_rejected(exc: rules.FormRejected) -> RuleViolation:
    """A rule violation naming the first broken rule and listing all of them."""
    first = exc.violations[0]
    return RuleViolation(
        first.message
        if len(exc.violations) == 1
        else f"{first.message} ({len(exc.violations) - 1} more in `errors`)",
        code=first.code,
        field=first.field,
        extra={
            "errors": [
                {"field": v.field, "message": v.message, "type": v.code} for v in exc.violations
            ]
        },
    )


def invalid_transition(exc: InvalidTransition) -> Conflict:
    return Conflict(str(exc), code="invalid_transition", extra={"state": exc.state.value})


def period_not_open(year: int, number: int, *, field: str = "period") -> RuleViolation:
    return RuleViolation(
        f"Period {year}/{number} is not open for registration: it is not published or its "
        "registration window is closed.",
        code="period_not_open",
        field=field,
    )


async def open_window(
    uow: UnitOfWork, *, year: int, number: int, today: date, field: str = "period"
) -> rules.PeriodWindow:
    """The period's window when registrations are taken today, else 422 `period_not_open`."""
    window = await repository.get_period_window(uow.session, year=year, number=number)
    if window is None or not rules.window_is_open(window, today=today):
        raise period_not_open(year, number, field=field)
    return window


async def visible_registration(
    uow: UnitOfWork, registration_id: uuid.UUID, caller: Principal, *, for_update: bool = False
) -> Registration:
    """The registration if the caller may see it; another organisation's is 'not found'."""
    row = await repository.get_registration(
        uow.session, registration_id=registration_id, for_update=for_update
    )
    if row is None or not caller.may_see(row.business_id):
        raise not_found(registration_id)
    return row


def history_entry(
    row: Registration,
    caller: Principal,
    *,
    action: str,
    from_state: str | None,
    changes: dict[str, dict[str, object]] | None = None,
    note: str | None = None,
) -> RegistrationHistory:
    return RegistrationHistory(
        registration_id=row.id,
        at=row.updated_at,
        actor_client_id=caller.client_id,
        actor_role=caller.role,
        actor_name=caller.name,
        action=action,
        from_state=from_state,
        to_state=row.state,
        changes=changes or {},
        note=note,
    )


@dataclass(frozen=True)
class Place:
    """What the duplicate rule keys on: organisation, service and period."""

    business_id: str
    service: str
    year: int
    number: int

    @classmethod
    def of(cls, row: Registration) -> Place:
        return cls(row.business_id, row.service, row.period_year, row.period_number)


async def duplicate_of(uow: UnitOfWork, place: Place) -> Conflict:
    """After a unique-index violation: 409 naming the registration that holds the place."""
    await uow.session.rollback()
    first = await repository.find_active_registration(
        uow.session,
        business_id=place.business_id,
        service=place.service,
        year=place.year,
        number=place.number,
    )
    first_id = str(first.id) if first is not None else None
    return Conflict(
        f"{place.business_id} already has an active registration for {place.service} in "
        f"period {place.year}/{place.number}: {first_id}.",
        code="duplicate_registration",
        extra={"registration_id": first_id},
    )
