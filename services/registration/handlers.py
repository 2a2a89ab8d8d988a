"""Use cases of the organisation's form: submit, edit, read, list, history.

Staff review and the other lifecycle steps are in `review.py`; the period read model in
`periods.py`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from services.registration import repository, rules, views
from services.registration.domain import Action, InvalidTransition, RegistrationState, next_state
from services.registration.extension import customership
from services.registration.guards import (
    Place,
    duplicate_of,
    form_rejected,
    history_entry,
    invalid_transition,
    open_window,
    visible_registration,
)
from services.registration.models import (
    IdempotencyRecord,
    Registration,
    RegistrationHistory,
)
from services.registration.paging import encode_cursor
from services.registration.repository import Filters, Position
from services.registration.schemas import (
    Actor,
    HistoryEntry,
    RegistrationCreate,
    RegistrationPage,
    RegistrationPublic,
    RegistrationUpdate,
)
from shared.auth import Principal
from shared.contracts.registration import RegistrationSubmitted, RegistrationUpdated
from shared.errors import RuleViolation
from shared.types import utcnow
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)


def _request_digest(command: RegistrationCreate) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> RegistrationPublic:
    if record.request_sha256 != digest:
        raise RuleViolation(
            "This Idempotency-Key was used with another body; use a new key for a new request.",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return RegistrationPublic.model_validate(record.response)


async def submit_registration(
    command: RegistrationCreate,
    uow: UnitOfWork,
    *,
    caller: Principal,
    idempotency_key: str | None = None,
    today: date,
) -> RegistrationPublic:
    """Check the form (R3–R8), store it with its history and `registration.submitted`."""
    business_id = command.organisation.business_id
    if not caller.may_see(business_id):
        # Issue 7 (mass assignment): a body naming another organisation's business ID is
        # refused as invalid input, 422, naming the field; nothing about that organisation
        # is revealed (its registrations stay invisible).
        raise RuleViolation(
            f"These credentials act for {caller.business_id}; a registration can only be "
            f"made for that organisation, not for {business_id}.",
            code="not_your_organisation",
            field="organisation.business_id",
        )
    digest = _request_digest(command) if idempotency_key is not None else ""
    async with uow:
        if idempotency_key is not None:
            record = await repository.get_idempotency_record(
                uow.session, client_id=caller.client_id, key=idempotency_key
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
        now = utcnow()
        row = Registration(
            **views.form_columns(command, assessment),
            state=RegistrationState.SUBMITTED,
            submitted_by=caller.client_id,
            submitted_at=now,
            updated_at=now,
        )
        result = views.public_of(command, row)
        uow.emit(RegistrationSubmitted(**views.snapshot(row), submitted_at=now))
        place = Place.of(row)
        try:
            await repository.insert_registration(
                uow.session,
                registration=row,
                history=history_entry(row, caller, action="submit", from_state=None),
            )
            if idempotency_key is not None:
                repository.add_idempotency_record(
                    uow.session,
                    record=IdempotencyRecord(
                        client_id=caller.client_id,
                        key=idempotency_key,
                        request_sha256=digest,
                        registration_id=row.id,
                        status_code=201,
                        response=result.model_dump(mode="json"),
                        created_at=now,
                    ),
                )
                await uow.session.flush()
        except IntegrityError:
            # A concurrent request won: either the same Idempotency-Key or the same place.
            await uow.session.rollback()
            if idempotency_key is not None:
                record = await repository.get_idempotency_record(
                    uow.session, client_id=caller.client_id, key=idempotency_key
                )
                if record is not None:
                    return _replay(record, digest)
            raise await duplicate_of(uow, place) from None
        await customership.note_registration(uow, row)
        await uow.commit()
    log.info("registration submitted", extra={"registration_id": str(row.id)})
    return result


async def edit_registration(
    registration_id: uuid.UUID,
    patch: RegistrationUpdate,
    uow: UnitOfWork,
    *,
    caller: Principal,
    today: date,
) -> RegistrationPublic:
    """The organisation changes its form while the window is open; review starts again."""
    async with uow:
        row = await visible_registration(uow, registration_id, caller, for_update=True)
        previous = RegistrationState(row.state)
        try:
            new_state = next_state(previous, Action.EDIT)
        except InvalidTransition as exc:
            raise invalid_transition(exc) from None
        current_window = views.window_of(
            await repository.get_period(uow.session, year=row.period_year, number=row.period_number)
        )
        if not rules.window_is_open(current_window, today=today):
            raise RuleViolation(
                f"The registration window of period {row.period_year}/{row.period_number} has "
                "closed; ask Kela's staff for changes.",
                code="registration_window_closed",
                field="period",
            )
        old = views.form_of(row)
        merged = old.model_dump(mode="json") | patch.model_dump(
            mode="json", exclude_unset=True, exclude_none=True
        )
        try:
            form = RegistrationCreate.model_validate(merged)
        except ValidationError as exc:  # parts valid alone but not together: still the caller's
            first = exc.errors()[0]
            raise RuleViolation(
                f"The changed form is not valid: {first['msg']}",
                code="validation_error",
                field=".".join(str(p) for p in first["loc"]) or None,
            ) from None
        if form.organisation.business_id != row.business_id:
            raise RuleViolation(
                "The business ID of a registration cannot change; submit a new registration.",
                code="business_id_immutable",
                field="organisation.business_id",
            )
        changes = _changes(old, form)
        if not changes:
            return views.public(row)
        window = current_window
        if form.period != old.period:
            window = await open_window(
                uow, year=form.period.year, number=form.period.number, today=today
            )
        assert window is not None
        try:
            assessment = rules.assess(views.rule_form(form), window, today=today)
        except rules.FormRejected as exc:
            raise form_rejected(exc) from None
        views.apply_form(row, form, assessment)
        row.state = new_state
        row.state_note = None
        row.updated_at = utcnow()
        repository.add_history(
            uow.session,
            entry=history_entry(
                row, caller, action=Action.EDIT, from_state=previous, changes=changes
            ),
        )
        uow.emit(
            RegistrationUpdated(
                **views.snapshot(row), changed=sorted(changes), previous_state=previous.value
            )
        )
        place = Place.of(row)
        try:
            await uow.session.flush()
        except IntegrityError:
            raise await duplicate_of(uow, place) from None
        if "customership" in changes:
            await customership.note_registration(uow, row)
        await uow.commit()
    return views.public(row)


def _changes(old: RegistrationCreate, new: RegistrationCreate) -> dict[str, dict[str, object]]:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    return {
        name: {"old": before[name], "new": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


async def get_registration(
    registration_id: uuid.UUID, uow: UnitOfWork, *, caller: Principal
) -> RegistrationPublic:
    """One registration the caller may see, or NotFound."""
    async with uow:
        row = await visible_registration(uow, registration_id, caller)
    return views.public(row)


async def list_registrations(
    filters: Filters, uow: UnitOfWork, *, caller: Principal, after: Position | None, limit: int
) -> RegistrationPage:
    """A page of the registrations the caller may see, in (updated_at, id) order."""
    if not caller.is_staff:
        if filters.business_id not in (None, caller.business_id):
            return RegistrationPage(items=[], next_cursor=None)
        filters = dataclasses.replace(filters, business_id=caller.business_id)
    async with uow:
        rows = await repository.list_registrations(
            uow.session, filters=filters, after=after, limit=limit
        )
    items = [views.public(row) for row in rows]
    next_cursor = (
        encode_cursor(Position(updated_at=rows[-1].updated_at, id=rows[-1].id))
        if len(rows) == limit
        else None
    )
    return RegistrationPage(items=items, next_cursor=next_cursor)


async def get_history(
    registration_id: uuid.UUID, uow: UnitOfWork, *, caller: Principal
) -> list[HistoryEntry]:
    """The append-only history of a registration the caller may see."""
    async with uow:
        await visible_registration(uow, registration_id, caller)
        entries: Sequence[RegistrationHistory] = await repository.list_history(
            uow.session, registration_id=registration_id
        )
    return [
        HistoryEntry(
            at=e.at,
            actor=_actor(e, caller),
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            changes=e.changes,
            note=e.note,
        )
        for e in entries
    ]


def _actor(entry: RegistrationHistory, caller: Principal) -> Actor:
    # Organisations see that Kela's staff acted, not which staff client did.
    if entry.actor_role == "staff" and not caller.is_staff:
        return Actor(client_id=None, role="staff", name="Kela")
    return Actor(client_id=entry.actor_client_id, role=entry.actor_role, name=entry.actor_name)
