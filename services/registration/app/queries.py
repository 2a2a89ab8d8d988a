"""Queries of registrations: one, a page of them, and a registration's history."""

from __future__ import annotations

import dataclasses
import uuid

from services.registration.app import views
from services.registration.app.guards import visible_registration
from services.registration.app.ports import RegistrationUoW
from services.registration.app.schemas.registrations import (
    HistoryEntry,
    RegistrationPage,
    RegistrationPublic,
)
from services.registration.domain.listing import Filters, Position
from shared.auth import Principal
from shared.paging import encode_cursor


async def get_registration(
    registration_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal
) -> RegistrationPublic:
    """One registration the caller may see, or 404 `registration_not_found`."""
    async with uow:
        row = await visible_registration(uow, registration_id, caller)
    return views.registration_public(row)


async def list_registrations(
    filters: Filters,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    after: Position | None,
    limit: int,
) -> RegistrationPage:
    """A page of the registrations the caller may see, in (updated_at, id) order."""
    if not caller.is_staff:
        if filters.business_id not in (None, caller.business_id):
            return RegistrationPage(items=[], next_cursor=None)
        filters = dataclasses.replace(filters, business_id=caller.business_id)
    async with uow:
        rows = await uow.registrations.list_page(filters=filters, after=after, limit=limit)
    items = [views.registration_public(row) for row in rows]
    next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].id) if len(rows) == limit else None
    return RegistrationPage(items=items, next_cursor=next_cursor)


async def get_history(
    registration_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal
) -> list[HistoryEntry]:
    """The append-only history of a registration the caller may see."""
    async with uow:
        await visible_registration(uow, registration_id, caller)
        entries = await uow.registrations.list_history(registration_id=registration_id)
    return [views.history_entry_public(entry, caller) for entry in entries]
