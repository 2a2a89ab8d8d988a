"""What every use case of a registration shares: who may see it, the period's window, the
duplicate rule's answer, history rows, and how rule failures become problems."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import RegistrationRecord
from services.registration.domain import errors, rules
from services.registration.domain.states import InvalidTransition
from shared.auth import Principal
from shared.errors import ServiceError


def not_found(registration_id: uuid.UUID) -> ServiceError:
    """The one answer for a registration that is missing or not the caller's to see."""
    return errors.REGISTRATION_NOT_FOUND(f"No registration {registration_id}.")


def form_rejected(exc: rules.FormRejected) -> ServiceError:
    """A rule violation naming the first broken rule and listing all of them."""
    first = exc.violations[0]
    return first.problem(
        first.message
        if len(exc.violations) == 1
        else f"{first.message} ({len(exc.violations) - 1} more in `errors`)",
        field=first.field,
        extra={
            "errors": [
                {"field": v.field, "message": v.message, "type": v.code} for v in exc.violations
            ]
        },
    )


def invalid_transition(exc: InvalidTransition) -> ServiceError:
    """409 `invalid_transition`, naming the state the registration is in."""
    return errors.INVALID_TRANSITION(str(exc), extra={"state": exc.state.value})


async def open_window(
    uow: RegistrationUoW, *, year: int, number: int, today: date, field: str = "period"
) -> rules.PeriodWindow:
    """The period's window when registrations are taken today, else 422 `period_not_open`."""
    window = await uow.periods.get_window(year=year, number=number)
    if window is None or not rules.window_is_open(window, today=today):
        raise errors.PERIOD_NOT_OPEN(
            f"Period {year}/{number} is not open for registration: it is not published or its "
            "registration window is closed.",
            field=field,
        )
    return window


async def visible_registration(
    uow: RegistrationUoW,
    registration_id: uuid.UUID,
    caller: Principal,
    *,
    for_update: bool = False,
) -> RegistrationRecord:
    """The registration if the caller may see it; another organisation's is 'not found'."""
    row = await uow.registrations.get(registration_id=registration_id, for_update=for_update)
    if row is None or not caller.may_see(row.business_id):
        raise not_found(registration_id)
    return row


def record_change(row: RegistrationRecord, *, at: datetime) -> None:
    """Mark `row` as changed now: its revision rises by one (consumers keep the highest)."""
    row.updated_at = at
    row.revision += 1


def history_values(
    row: RegistrationRecord,
    caller: Principal,
    *,
    action: str,
    from_state: str | None,
    changes: dict[str, dict[str, object]] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The history row of a change just made to `row` by `caller`."""
    return {
        "registration_id": row.id,
        "at": row.updated_at,
        "actor_client_id": caller.client_id,
        "actor_role": caller.role,
        "actor_name": caller.name,
        "action": action,
        "from_state": from_state,
        "to_state": row.state,
        "changes": changes or {},
        "note": note,
    }


@dataclass(frozen=True)
class Place:
    """What the duplicate rule keys on: organisation, service and period."""

    business_id: str
    service: str
    year: int
    number: int

    @classmethod
    def of(cls, row: RegistrationRecord) -> Place:
        return cls(row.business_id, row.service, row.period_year, row.period_number)


async def duplicate_of(uow: RegistrationUoW, place: Place) -> ServiceError:
    """After a unique-index violation: 409 naming the registration that holds the place."""
    await uow.rollback()
    first = await uow.registrations.find_active(
        business_id=place.business_id,
        service=place.service,
        year=place.year,
        number=place.number,
    )
    first_id = str(first.id) if first is not None else None
    return errors.DUPLICATE_REGISTRATION(
        f"{place.business_id} already has an active registration for {place.service} in "
        f"period {place.year}/{place.number}: {first_id}.",
        extra={"registration_id": first_id},
    )


def _dates(value: object, path: str) -> list[tuple[str, date]]:
    """Every date (and datetime, by its own calendar day) in a body, with its field path."""
    if isinstance(value, datetime):
        return [(path, value.date())]  # its own wall-clock day: no conversion to overflow
    if isinstance(value, date):
        return [(path, value)]
    if isinstance(value, BaseModel):
        return [
            found
            for name in type(value).model_fields
            for found in _dates(getattr(value, name), f"{path}.{name}" if path else name)
        ]
    if isinstance(value, list | tuple):
        return [found for i, item in enumerate(value) for found in _dates(item, f"{path}.{i}")]
    return []


def check_dates(body: BaseModel, *, earliest: date, latest: date, prefix: str = "") -> None:
    """Issue 15.10: every date of `body` lies in the service's range, else 422 naming it."""
    for path, day in _dates(body, prefix):
        if not earliest <= day <= latest:
            raise errors.DATE_OUT_OF_RANGE(
                f"{day.isoformat()} is outside the dates this service takes "
                f"({earliest.isoformat()}–{latest.isoformat()}).",
                field=path,
            )
