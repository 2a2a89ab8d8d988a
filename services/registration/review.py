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

from services.registration import repository, rules, views
from services.registration.domain import Action, InvalidTransition, RegistrationState, next_state
from services.registration.extension import customership
from services.registration.extension.rules import helsinki_today
from services.registration.guards import (
    Place,
    duplicate_of,
    form_rejected,
    history_entry,
    invalid_transition,
    open_window,
    visible_registration,
)
from services.registration.models import Registration
from services.registration.schemas import Period, RegistrationPublic
from shared.auth import Principal
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
from shared.errors import RuleViolation
from shared.types import utcnow
from shared.uow import UnitOfWork

EventFactory = Callable[[dict[str, Any], RegistrationState], RegistrationEvent]


async def _transition(
    registration_id: uuid.UUID,
    action: Action,
    uow: UnitOfWork,
    *,
    caller: Principal,
    event: EventFactory,
    note: str | None = None,
    changes: dict[str, dict[str, object]] | None = None,
    before: Callable[[Registration], None] | None = None,
    also: Callable[[Registration], Awaitable[object]] | None = None,
) -> RegistrationPublic:
    row = await visible_registration(uow, registration_id, caller, for_update=True)
    previous = RegistrationState(row.state)
    try:
        row.state = next_state(previous, action)
    except InvalidTransition as exc:
        raise invalid_transition(exc) from None
    if before is not None:
        before(row)
    row.updated_at = utcnow()
    if action in (Action.REJECT, Action.RETURN):
        row.state_note = note
    repository.add_history(
        uow.session,
        entry=history_entry(
            row, caller, action=action, from_state=previous, changes=changes, note=note
        ),
    )
    uow.emit(event(views.snapshot(row), previous))
    if also is not None:
        await also(row)
    place = Place.of(row)
    try:
        await uow.session.flush()
    except IntegrityError:
        raise await duplicate_of(uow, place) from None
    await uow.commit()
    return views.public(row)


async def accept_registration(
    registration_id: uuid.UUID, uow: UnitOfWork, *, caller: Principal
) -> RegistrationPublic:
    """Staff accept a submitted registration for its period.

    R8: the first accepted deployment with a complete checklist forms the customership."""

    async def form_customership(row: Registration) -> None:
        await customership.note_acceptance(
            uow,
            business_id=row.business_id,
            registration_id=row.id,
            accepted_on=helsinki_today(utcnow()),
        )

    async with uow:
        return await _transition(
            registration_id,
            Action.ACCEPT,
            uow,
            caller=caller,
            event=lambda snap, _: RegistrationAccepted(**snap),
            also=form_customership,
        )


async def reject_registration(
    registration_id: uuid.UUID, reason: str, uow: UnitOfWork, *, caller: Principal
) -> RegistrationPublic:
    """Staff reject a submitted registration, saying why."""
    async with uow:
        return await _transition(
            registration_id,
            Action.REJECT,
            uow,
            caller=caller,
            note=reason,
            event=lambda snap, _: RegistrationRejected(**snap, note=reason),
        )


async def return_registration(
    registration_id: uuid.UUID, changes_requested: str, uow: UnitOfWork, *, caller: Principal
) -> RegistrationPublic:
    """Staff return a submitted registration for changes; an edit submits it again."""
    async with uow:
        return await _transition(
            registration_id,
            Action.RETURN,
            uow,
            caller=caller,
            note=changes_requested,
            event=lambda snap, _: RegistrationReturned(**snap, note=changes_requested),
        )


async def move_registration(
    registration_id: uuid.UUID,
    period: Period,
    note: str | None,
    uow: UnitOfWork,
    *,
    caller: Principal,
    today: date,
) -> RegistrationPublic:
    """Staff move an accepted registration to another open period (R7 still holds)."""
    async with uow:
        row = await visible_registration(uow, registration_id, caller, for_update=True)
        origin = PeriodRef(year=row.period_year, number=row.period_number)
        if (period.year, period.number) == (origin.year, origin.number):
            raise RuleViolation(
                f"The registration is already in period {period.year}/{period.number}.",
                code="same_period",
                field="period",
            )
        try:
            next_state(RegistrationState(row.state), Action.MOVE)
        except InvalidTransition as exc:
            raise invalid_transition(exc) from None
        window = await open_window(uow, year=period.year, number=period.number, today=today)
        form = views.rule_form(views.form_of(row))
        violations = rules.check_production_start(form, window)
        if violations:
            raise form_rejected(rules.FormRejected(violations))

        def to_new_period(target: Registration) -> None:
            target.period_year, target.period_number = period.year, period.number

        return await _transition(
            registration_id,
            Action.MOVE,
            uow,
            caller=caller,
            note=note,
            changes={
                "period": {"old": origin.model_dump(), "new": period.model_dump()},
            },
            before=to_new_period,
            event=lambda snap, _: RegistrationMoved(**snap, from_period=origin, note=note),
        )


async def withdraw_registration(
    registration_id: uuid.UUID, uow: UnitOfWork, *, caller: Principal
) -> RegistrationPublic:
    """The organisation withdraws an open registration."""
    async with uow:
        return await _transition(
            registration_id,
            Action.WITHDRAW,
            uow,
            caller=caller,
            event=lambda snap, previous: RegistrationWithdrawn(
                **snap, previous_state=previous.value
            ),
        )


async def deploy_registration(
    registration_id: uuid.UUID,
    deployed_on: date,
    uow: UnitOfWork,
    *,
    caller: Principal,
    today: date,
) -> RegistrationPublic:
    """Staff record that production use started on `deployed_on` (not in the future)."""
    if deployed_on > today:
        raise RuleViolation(
            f"{deployed_on.isoformat()} is in the future; record the deployment once it started.",
            code="date_in_future",
            field="deployed_on",
        )

    def set_date(row: Registration) -> None:
        row.deployed_on = deployed_on

    async with uow:
        return await _transition(
            registration_id,
            Action.DEPLOY,
            uow,
            caller=caller,
            changes={"deployed_on": {"old": None, "new": deployed_on.isoformat()}},
            before=set_date,
            event=lambda snap, _: RegistrationDeployed(**snap, deployed_on=deployed_on),
        )


async def deploy_in(
    uow: UnitOfWork, registration_id: uuid.UUID, deployed_on: date, *, caller: Principal
) -> RegistrationPublic:
    """R10: a reported successful deployment test moves the registration to `deployed`, in
    the caller's open unit of work (which this commits)."""

    def set_date(row: Registration) -> None:
        row.deployed_on = deployed_on

    return await _transition(
        registration_id,
        Action.DEPLOY,
        uow,
        caller=caller,
        changes={"deployed_on": {"old": None, "new": deployed_on.isoformat()}},
        before=set_date,
        event=lambda snap, _: RegistrationDeployed(**snap, deployed_on=deployed_on),
    )


async def complete_registration(
    registration_id: uuid.UUID, uow: UnitOfWork, *, caller: Principal
) -> RegistrationPublic:
    """Staff close a deployed registration."""
    async with uow:
        return await _transition(
            registration_id,
            Action.COMPLETE,
            uow,
            caller=caller,
            event=lambda snap, _: RegistrationCompleted(**snap),
        )
