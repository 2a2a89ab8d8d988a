"""Persistence of the scheduling service: keyword-only, verb-named, never commits."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.models import KnownRegistration


def add_known_registration(session: AsyncSession, *, registration: KnownRegistration) -> None:
    """Stage a registration learnt from an event."""
    session.add(registration)


async def get_known_registration(
    session: AsyncSession, *, registration_id: uuid.UUID
) -> KnownRegistration | None:
    """The read-model row, or None."""
    return await session.get(KnownRegistration, registration_id)
