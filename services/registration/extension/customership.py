"""The Kanta customership (R8): its checklist, formed with the first accepted deployment."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import col, select

from services.registration.extension.models import Customership
from services.registration.extension.rules import Checklist
from services.registration.extension.schemas import CustomershipPublic
from services.registration.models import Registration
from shared.auth import Principal
from shared.contracts.extension import CustomershipFormed
from shared.errors import NotFound
from shared.types import utcnow
from shared.uow import UnitOfWork

CHECKLIST_FIELDS = (
    "commitment_signed_on",
    "service_application_on",
    "service_description_accepted_on",
    "details_submitted_on",
)


def checklist_of(record: Customership) -> Checklist:
    return Checklist(**{name: getattr(record, name) for name in CHECKLIST_FIELDS})


def is_formed(record: Customership | None) -> bool:
    """R8: formed once (or already a customer before this system): never asked again."""
    return record is not None and (record.existing_customer or record.formed_on is not None)


def public(record: Customership) -> CustomershipPublic:
    checklist = checklist_of(record)
    return CustomershipPublic(
        business_id=record.business_id,
        organisation_name=record.organisation_name,
        existing_customer=record.existing_customer,
        checklist={name: getattr(record, name) for name in CHECKLIST_FIELDS},
        missing=[] if is_formed(record) else checklist.missing(),
        formed=is_formed(record),
        formed_on=record.formed_on,
    )


async def note_checklist(
    uow: UnitOfWork,
    *,
    business_id: str,
    organisation_name: str,
    existing_customer: bool,
    checklist: dict[str, date | None],
) -> Customership:
    """Keep what a registration says about the customership; a formed one is not reopened."""
    record = await uow.session.get(Customership, business_id)
    if record is None:
        record = Customership(
            business_id=business_id, organisation_name=organisation_name, updated_at=utcnow()
        )
    record.organisation_name = organisation_name
    if not is_formed(record):
        record.existing_customer = existing_customer
        for name in CHECKLIST_FIELDS:
            if checklist.get(name) is not None:
                setattr(record, name, checklist[name])
    record.updated_at = utcnow()
    uow.session.add(record)
    return record


async def note_registration(uow: UnitOfWork, row: Registration) -> None:
    """Keep the customership checklist a registration carries (R8)."""
    form: dict[str, Any] = row.customership
    await note_checklist(
        uow,
        business_id=row.business_id,
        organisation_name=row.organisation_name,
        existing_customer=bool(form.get("existing_customer")),
        checklist={
            name: date.fromisoformat(value) if isinstance(value, str) else value
            for name in CHECKLIST_FIELDS
            if (value := form.get(name)) is not None
        },
    )


async def note_acceptance(
    uow: UnitOfWork, *, business_id: str, registration_id: uuid.UUID, accepted_on: date
) -> bool:
    """R8: the first accepted deployment with a complete checklist forms the customership.

    Returns True when it formed now (and `customership.formed` was emitted)."""
    record = await uow.session.get(Customership, business_id)
    if record is None or is_formed(record) or not checklist_of(record).complete:
        return False
    record.formed_on = accepted_on
    record.formed_with_registration_id = registration_id
    record.updated_at = utcnow()
    uow.session.add(record)
    uow.emit(
        CustomershipFormed(
            business_id=business_id,
            organisation_name=record.organisation_name,
            formed_on=accepted_on,
            registration_id=registration_id,
        )
    )
    return True


async def get_customership(
    business_id: str, principal: Principal, uow: UnitOfWork
) -> CustomershipPublic:
    async with uow:
        record = await uow.session.get(Customership, business_id)
    if record is None or not principal.may_see(business_id):
        raise NotFound(
            f"No customership is recorded for {business_id}.", code="customership_not_found"
        )
    return public(record)


async def list_customerships(
    uow: UnitOfWork, *, formed: bool | None, limit: int, after: str | None
) -> list[CustomershipPublic]:
    query = select(Customership).order_by(col(Customership.business_id))
    if after is not None:
        query = query.where(col(Customership.business_id) > after)
    async with uow:
        rows = list(await uow.session.exec(query))
    items = [public(r) for r in rows if formed is None or is_formed(r) == formed]
    return items[:limit]
