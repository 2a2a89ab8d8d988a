"""The Kanta customership (R8): its checklist, formed with the first accepted deployment."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.registration.app import views
from services.registration.app.guards import check_dates
from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import CustomershipRecord, RegistrationRecord
from services.registration.app.schemas.customerships import ChecklistSteps, CustomershipPublic
from services.registration.domain import errors
from services.registration.domain.rules import CHECKLIST
from services.registration.settings import RegistrationSettings
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.extension import CustomershipFormed


async def note_checklist(
    uow: RegistrationUoW,
    *,
    business_id: str,
    organisation_name: str,
    existing_customer: bool,
    checklist: dict[str, date | None],
    clock: Clock,
) -> CustomershipRecord:
    """Keep what a registration says about the customership; a formed one is not reopened."""
    record = await uow.customerships.get(business_id=business_id)
    if record is None:
        record = uow.customerships.new(
            business_id=business_id, organisation_name=organisation_name, updated_at=clock.now()
        )
    record.organisation_name = organisation_name
    if not views.customership_formed(record):
        record.existing_customer = existing_customer
        for name in CHECKLIST:
            if checklist.get(name) is not None:
                setattr(record, name, checklist[name])
    record.updated_at = clock.now()
    return record


async def note_registration(uow: RegistrationUoW, row: RegistrationRecord, *, clock: Clock) -> None:
    """Keep the customership checklist a registration carries (R8)."""
    form: dict[str, Any] = row.customership
    await note_checklist(
        uow,
        business_id=row.business_id,
        organisation_name=row.organisation_name,
        existing_customer=bool(form.get("existing_customer")),
        checklist={
            name: date.fromisoformat(value) if isinstance(value, str) else value
            for name in CHECKLIST
            if (value := form.get(name)) is not None
        },
        clock=clock,
    )


async def note_acceptance(
    uow: RegistrationUoW,
    *,
    business_id: str,
    registration_id: uuid.UUID,
    accepted_on: date,
    clock: Clock,
) -> bool:
    """R8: the first accepted deployment with a complete checklist forms the customership.

    Returns True when it formed now (and `customership.formed` was emitted)."""
    record = await uow.customerships.get(business_id=business_id)
    if (
        record is None
        or views.customership_formed(record)
        or not views.checklist_of(record).complete
    ):
        return False
    record.formed_on = accepted_on
    record.formed_with_registration_id = registration_id
    record.updated_at = clock.now()
    uow.emit(
        CustomershipFormed(
            business_id=business_id,
            organisation_name=record.organisation_name,
            formed_on=accepted_on,
            registration_id=registration_id,
        )
    )
    return True


async def missing_for_deployment(
    uow: RegistrationUoW, row: RegistrationRecord, *, clock: Clock
) -> list[str]:
    """R8: the checklist steps still without a date that keep `row` from being deployed.

    Only a first deployment forms the customership; once it is formed (or the organisation
    was a customer before) nothing is asked again. A checklist completed after acceptance
    forms the customership now."""
    if row.reason != "first_deployment":
        return []
    record = await uow.customerships.get(business_id=row.business_id)
    if record is None:
        return list(CHECKLIST)
    if views.customership_formed(record):
        return []
    missing = views.checklist_of(record).missing()
    if not missing:
        await note_acceptance(
            uow,
            business_id=row.business_id,
            registration_id=row.id,
            accepted_on=clock.today(),
            clock=clock,
        )
    return missing


async def record_checklist(
    business_id: str,
    body: ChecklistSteps,
    uow: RegistrationUoW,
    *,
    clock: Clock,
    settings: RegistrationSettings,
) -> CustomershipPublic:
    """Staff record checklist steps (R8) with their dates; a step left out stays as it is."""
    check_dates(body, earliest=settings.earliest_date, latest=settings.latest_date)
    steps: dict[str, date | None] = body.model_dump(exclude_unset=True)
    async with uow:
        record = await uow.customerships.get(business_id=business_id)
        if record is None:
            raise errors.CUSTOMERSHIP_NOT_FOUND(
                f"No customership is recorded for {business_id}; it starts with a registration."
            )
        for name, day in steps.items():
            if day is not None and day > clock.today():
                raise errors.DATE_IN_FUTURE(
                    f"{day.isoformat()} is in the future; give the date it was done.", field=name
                )
            setattr(record, name, day)
        record.updated_at = clock.now()
        result = views.customership_public(record)
        await uow.commit()
    return result


async def get_customership(
    business_id: str, uow: RegistrationUoW, *, caller: Principal
) -> CustomershipPublic:
    """The organisation's customership, if the caller may see it."""
    async with uow:
        record = await uow.customerships.get(business_id=business_id)
    if record is None or not caller.may_see(business_id):
        raise errors.CUSTOMERSHIP_NOT_FOUND(f"No customership is recorded for {business_id}.")
    return views.customership_public(record)


async def list_customerships(
    uow: RegistrationUoW, *, formed: bool | None, limit: int, after: str | None
) -> list[CustomershipPublic]:
    """Customerships in business ID order after `after`, formed or not as asked (staff)."""
    async with uow:
        rows = await uow.customerships.list_after(after=after)
    items = [
        views.customership_public(r)
        for r in rows
        if formed is None or views.customership_formed(r) == formed
    ]
    return items[:limit]
