"""Use cases of the organisation's form: submit and edit.

Reading and listing are in `queries.py`, staff review and the other lifecycle steps in
`review.py`, the period read model in `periods.py`.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from services.registration.app import customership, views
from services.registration.app.guards import (
    Place,
    check_dates,
    duplicate_of,
    form_rejected,
    history_values,
    invalid_transition,
    open_window,
    record_change,
    visible_registration,
)
from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import IdempotencyRecord
from services.registration.app.schemas.registrations import (
    RegistrationCreate,
    RegistrationPublic,
    RegistrationUpdate,
)
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
from shared.contracts.registration import RegistrationSubmitted, RegistrationUpdated
from shared.problems import VALIDATION_ERROR

log = logging.getLogger(__name__)


def _request_digest(command: RegistrationCreate) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> RegistrationPublic:
    if record.request_sha256 != digest:
        raise errors.IDEMPOTENCY_KEY_REUSED(
            "This Idempotency-Key was used with another body; use a new key for a new request."
        )
    return RegistrationPublic.model_validate(record.response)


async def submit_registration(
    command: RegistrationCreate,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
    settings: RegistrationSettings,
    idempotency_key: str | None = None,
) -> RegistrationPublic:
    """Check the form (R3–R8), store it with its history and `registration.submitted`."""
    business_id = command.organisation.business_id
    if not caller.may_see(business_id):
        # No mass assignment: a body naming another organisation's business ID is refused
        # as invalid input, 422, naming the field; nothing about that organisation is
        # revealed (its registrations stay invisible).
        raise errors.NOT_YOUR_ORGANISATION(
            f"These credentials act for {caller.business_id}; a registration can only be "
            f"made for that organisation, not for {business_id}."
        )
    check_dates(command, earliest=settings.earliest_date, latest=settings.latest_date)
    digest = _request_digest(command) if idempotency_key is not None else ""
    today = clock.today()
    async with uow:
        if idempotency_key is not None:
            record = await uow.registrations.get_idempotency_record(
                client_id=caller.client_id, key=idempotency_key
            )
            if record is not None:
                return _replay(record, digest)
        window = await open_window(
            uow, year=command.period.year, number=command.period.number, today=today
        )
        try:
            assessment = rules.assess(views.rule_form(command), window, today=today)
        except rules.FormRejected as exc:
            raise form_rejected(exc) from None
        now = clock.now()
        row = uow.registrations.new_registration(
            **views.form_columns(command, assessment),
            state=RegistrationState.SUBMITTED,
            revision=1,
            submitted_by=caller.client_id,
            submitted_at=now,
            updated_at=now,
        )
        result = views.registration_public_of(command, row)
        uow.emit(RegistrationSubmitted(**views.registration_snapshot(row), submitted_at=now))
        place = Place.of(row)
        try:
            await uow.registrations.insert(
                registration=row,
                history=uow.registrations.new_history(
                    **history_values(row, caller, action="submit", from_state=None)
                ),
            )
            if idempotency_key is not None:
                uow.registrations.add_idempotency_record(
                    client_id=caller.client_id,
                    key=idempotency_key,
                    request_sha256=digest,
                    registration_id=row.id,
                    status_code=201,
                    response=result.model_dump(mode="json"),
                    created_at=now,
                )
                await uow.flush()
        except IntegrityError:
            # A concurrent request won: either the same Idempotency-Key or the same place.
            await uow.rollback()
            if idempotency_key is not None:
                record = await uow.registrations.get_idempotency_record(
                    client_id=caller.client_id, key=idempotency_key
                )
                if record is not None:
                    return _replay(record, digest)
            raise await duplicate_of(uow, place) from None
        await customership.note_registration(uow, row, clock=clock)
        await uow.commit()
    log.info("registration submitted", extra={"registration_id": str(row.id)})
    return result


async def edit_registration(
    registration_id: uuid.UUID,
    patch: RegistrationUpdate,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    clock: Clock,
    settings: RegistrationSettings,
) -> RegistrationPublic:
    """The organisation changes its form while the window is open; review starts again.

    R7 and the start-in-the-past check apply only when the edit changes the production start
    or the period (issue 14.5): a contact change is never refused because of them."""
    check_dates(patch, earliest=settings.earliest_date, latest=settings.latest_date)
    today = clock.today()
    async with uow:
        row = await visible_registration(uow, registration_id, caller, for_update=True)
        previous = RegistrationState(row.state)
        try:
            new_state = next_state(previous, Action.EDIT)
        except InvalidTransition as exc:
            raise invalid_transition(exc) from None
        current_window = views.window_of(
            await uow.periods.get(year=row.period_year, number=row.period_number)
        )
        if not rules.window_is_open(current_window, today=today):
            raise errors.REGISTRATION_WINDOW_CLOSED(
                f"The registration window of period {row.period_year}/{row.period_number} has "
                "closed; ask Kela's staff for changes."
            )
        old = views.form_of(row)
        merged = old.model_dump(mode="json") | patch.model_dump(
            mode="json", exclude_unset=True, exclude_none=True
        )
        try:
            form = RegistrationCreate.model_validate(merged)
        except ValidationError as exc:  # parts valid alone but not together: still the caller's
            first = exc.errors()[0]
            raise VALIDATION_ERROR(
                f"The changed form is not valid: {first['msg']}",
                field=".".join(str(p) for p in first["loc"]) or None,
            ) from None
        if form.organisation.business_id != row.business_id:
            raise errors.BUSINESS_ID_IMMUTABLE(
                "The business ID of a registration cannot change; submit a new registration."
            )
        changes = _changes(old, form)
        if not changes:
            return views.registration_public(row)
        window = current_window
        if form.period != old.period:
            window = await open_window(
                uow, year=form.period.year, number=form.period.number, today=today
            )
        assert window is not None
        try:
            assessment = rules.assess(
                views.rule_form(form),
                window,
                today=today,
                check_start=bool({"planned_production_start", "period"} & changes.keys()),
            )
        except rules.FormRejected as exc:
            raise form_rejected(exc) from None
        views.apply_form(row, form, assessment)
        row.state = new_state
        row.state_note = None
        record_change(row, at=clock.now())
        uow.registrations.add_history(
            **history_values(row, caller, action=Action.EDIT, from_state=previous, changes=changes)
        )
        uow.emit(
            RegistrationUpdated(
                **views.registration_snapshot(row),
                changed=sorted(changes),
                previous_state=previous.value,
            )
        )
        place = Place.of(row)
        try:
            await uow.flush()
        except IntegrityError:
            raise await duplicate_of(uow, place) from None
        if "customership" in changes:
            await customership.note_registration(uow, row, clock=clock)
        await uow.commit()
    return views.registration_public(row)


def _changes(old: RegistrationCreate, new: RegistrationCreate) -> dict[str, dict[str, object]]:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    return {
        name: {"old": before[name], "new": after[name]}
        for name in after
        if before.get(name) != after[name]
    }
