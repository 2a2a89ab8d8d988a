"""Persistence of registrations: keyword-only, verb-named, never commits."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.models import Registration, RegistrationContact


def add_registration(
    session: AsyncSession, *, registration: Registration, contacts: list[RegistrationContact]
) -> None:
    """Stage a registration and its contacts in the session."""
    session.add(registration)
    session.add_all(contacts)


async def get_registration(
    session: AsyncSession, *, registration_id: uuid.UUID
) -> tuple[Registration, list[RegistrationContact]] | None:
    """The registration and its contacts in order, or None."""
    registration = await session.get(Registration, registration_id)
    if registration is None:
        return None
    result = await session.exec(
        select(RegistrationContact)
        .where(RegistrationContact.registration_id == registration_id)
        .order_by(col(RegistrationContact.position))
    )
    return registration, list(result.all())
