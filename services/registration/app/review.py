"""Lifecycle use cases: staff review (accept, reject, return, move), withdrawal, deployment.

Each one loads the registration row-locked, checks the transition (409 `invalid_transition`),
changes it, appends its history row and emits its event, all in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.registration.app import customership, views
from services.registration.app.guards import (
    Place,
    duplicate_of,
    form_rejected,
    history_values,
    invalid_transition,
    open_window,
    record_change,
    visible_registration,
)
from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import RegistrationRecord
from services.registration.app.schemas.registrations import Period, RegistrationPublic
from services.registration.domain import errors, rules
from services.registration.domain.states import (
    Action,
    InvalidTransition,
    RegistrationState,
    next_state,
)
from services.registration.settings import RegistrationSettings
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.common import PeriodRef
from shared.contracts.registration import (
    RegistrationAccepted,
    RegistrationCompleted,
    RegistrationDeployed,
    RegistrationEvent,
    RegistrationMoved,
    RegistrationRejected,
    RegistrationReturned,
    RegistrationWithdrawn,
)

EventFactory = Callable[[dict[str, Any], RegistrationState], RegistrationEvent]


async def _transition(
    registration_id: uuid.UUID,
    action: Action,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
    event: EventFactory,
    note: str | None = None,
    changes: dict[str, dict[str, object]] | None = None,
    before: Callable[[RegistrationRecord], None] | None = None,
    also: Callable[[RegistrationRecord], Awaitable[object]] | None = None,
    check: Callable[[RegistrationRecord], Awaitable[None]] | None = None,
) -> RegistrationPublic:
    row = await visible_registration(uow, registration_id, caller, for_update=True)
    previous = RegistrationState(row.state)
    try:
        next_state(previous, action)
    except InvalidTransition as exc:
        raise invalid_transition(exc) from None
    if check is not None:  # a rule of this step, once the transition itself is possible
        await check(row)
    row.state = next_state(previous, action)
    if before is not None:
        before(row)
    record_change(row, at=clock.now())
    if action in (Action.REJECT, Action.RETURN):
        row.state_note = note
    uow.registrations.add_history(
        **history_values(
            row, caller, action=action, from_state=previous, changes=changes, note=note
        )
    )
    uow.emit(event(views.registration_snapshot(row), previous))
    if also is not None:
        await also(row)
    place = Place.of(row)
    try:
        await uow.flush()
    except IntegrityError:
        raise await duplicate_of(uow, place) from None
    await uow.commit()
    return views.registration_public(row)


async def accept_registration(
    registration_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal, clock: Clock
) -> RegistrationPublic:
    """Staff accept a submitted registration for its period.

    R8: the first accepted deployment with a complete checklist forms the customership."""

    async def form_customership(row: RegistrationRecord) -> None:
        await customership.note_acceptance(
            uow,
            business_id=row.business_id,
            registration_id=row.id,
            accepted_on=clock.today(),
            clock=clock,
        )

    async with uow:
        return await _transition(
            registration_id,
            Action.ACCEPT,
            uow,
            caller=caller,
            clock=clock,
            event=lambda snap, _: RegistrationAccepted(**snap),
            also=form_customership,
        )


async def reject_registration(
    registration_id: uuid.UUID,
    reason: str,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
) -> RegistrationPublic:
    """Staff reject a submitted registration, saying why."""
    async with uow:
        return await _transition(
            registration_id,
            Action.REJECT,
            uow,
            caller=caller,
            clock=clock,
            note=reason,
            event=lambda snap, _: RegistrationRejected(**snap, note=reason),
        )


async def return_registration(
    registration_id: uuid.UUID,
    changes_requested: str,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
) -> RegistrationPublic:
    """Staff return a submitted registration for changes; an edit submits it again."""
    async with uow:
        return await _transition(
            registration_id,
            Action.RETURN,
            uow,
            caller=caller,
            clock=clock,
            note=changes_requested,
            event=lambda snap, _: RegistrationReturned(**snap, note=changes_requested),
        )


async def move_registration(
    registration_id: uuid.UUID,
    period: Period,
    note: str | None,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
) -> RegistrationPublic:
    """Staff move an accepted registration to another open period (R7 still holds)."""
    async with uow:
        row = await visible_registration(uow, registration_id, caller, for_update=True)
        origin = PeriodRef(year=row.period_year, number=row.period_number)
        if (period.year, period.number) == (origin.year, origin.number):
            raise errors.SAME_PERIOD(
                f"The registration is already in period {period.year}/{period.number}."
            )
        try:
            next_state(RegistrationState(row.state), Action.MOVE)
        except InvalidTransition as exc:
            raise invalid_transition(exc) from None
        window = await open_window(uow, year=period.year, number=period.number, today=clock.today())
        form = views.rule_form(views.form_of(row))
        violations = rules.check_production_start(form, window)
        if violations:
            raise form_rejected(rules.FormRejected(violations))

        def to_new_period(target: RegistrationRecord) -> None:
            target.period_year, target.period_number = period.year, period.number

        return await _transition(
            registration_id,
            Action.MOVE,
            uow,
            caller=caller,
            clock=clock,
            note=note,
            changes={
                "period": {"old": origin.model_dump(), "new": period.model_dump()},
            },
            before=to_new_period,
            event=lambda snap, _: RegistrationMoved(**snap, from_period=origin, note=note),
        )


async def withdraw_registration(
    registration_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal, clock: Clock
) -> RegistrationPublic:
    """The organisation withdraws an open registration."""
    async with uow:
        return await _transition(
            registration_id,
            Action.WITHDRAW,
            uow,
            caller=caller,
            clock=clock,
            event=lambda snap, previous: RegistrationWithdrawn(
                **snap, previous_state=previous.value
            ),
        )


async def deploy_registration(
    registration_id: uuid.UUID,
    deployed_on: date,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
    settings: RegistrationSettings,
) -> RegistrationPublic:
    """Staff record that production use started on `deployed_on` (not in the future)."""
    if not settings.earliest_date <= deployed_on <= settings.latest_date:
        raise errors.DATE_OUT_OF_RANGE(
            f"{deployed_on.isoformat()} is outside the dates this service takes "
            f"({settings.earliest_date.isoformat()}–{settings.latest_date.isoformat()}).",
            field="deployed_on",
        )
    if deployed_on > clock.today():
        raise errors.DATE_IN_FUTURE(
            f"{deployed_on.isoformat()} is in the future; record the deployment once it started.",
            field="deployed_on",
        )

    async with uow:
        return await record_deployment(
            uow, registration_id, deployed_on, caller=caller, clock=clock
        )


async def record_deployment(
    uow: RegistrationUoW,
    registration_id: uuid.UUID,
    deployed_on: date,
    *,
    caller: Principal,
    clock: Clock,
) -> RegistrationPublic:
    """The registration moves to `deployed` in the caller's open unit of work (which this
    commits): staff recording it, or a reported successful deployment test (R10)."""

    def set_date(row: RegistrationRecord) -> None:
        row.deployed_on = deployed_on

    async def customership_formed(row: RegistrationRecord) -> None:
        missing = await customership.missing_for_deployment(uow, row, clock=clock)
        if missing:
            raise errors.CHECKLIST_INCOMPLETE(
                "A first deployment needs the Kanta customership (R8): still without a date "
                f"are {', '.join(missing)}. Record them first "
                f"(PATCH /v1/customerships/{row.business_id}).",
                extra={"missing": missing},
            )

    return await _transition(
        registration_id,
        Action.DEPLOY,
        uow,
        caller=caller,
        clock=clock,
        changes={"deployed_on": {"old": None, "new": deployed_on.isoformat()}},
        before=set_date,
        check=customership_formed,
        event=lambda snap, _: RegistrationDeployed(**snap, deployed_on=deployed_on),
    )


async def complete_registration(
    registration_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal, clock: Clock
) -> RegistrationPublic:
    """Staff close a deployed registration."""
    async with uow:
        return await _transition(
            registration_id,
            Action.COMPLETE,
            uow,
            caller=caller,
            clock=clock,
            event=lambda snap, _: RegistrationCompleted(**snap),
        )
