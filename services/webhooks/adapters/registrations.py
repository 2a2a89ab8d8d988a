"""The read model of whose each registration is, and the enrolment events waiting for it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.webhooks.adapters.tables import KnownRegistration, ParkedEvent
from shared.db import insert_ignoring_conflicts

_PARKED = ParkedEvent.__table__  # type: ignore[attr-defined]


class RegistrationRepository:
    """Known registrations and parked events of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(
        self, *, registration_id: uuid.UUID, business_id: str, revision: int, now: datetime
    ) -> bool:
        """Keep the snapshot's owner unless a higher revision is known; True when stored."""
        row = await self._session.get(KnownRegistration, registration_id, with_for_update=True)
        if row is None:
            self._session.add(
                KnownRegistration(
                    registration_id=registration_id,
                    business_id=business_id[:20],
                    revision=revision,
                    updated_at=now,
                )
            )
            await self._session.flush()
            return True
        if revision < row.revision:
            return False
        row.business_id, row.revision, row.updated_at = business_id[:20], revision, now
        return True

    async def owner(self, *, registration_id: uuid.UUID) -> str | None:
        """The business ID of a registration, or None while unknown."""
        row = await self._session.get(KnownRegistration, registration_id)
        return row.business_id if row is not None else None

    async def park(
        self, *, event_id: uuid.UUID, registration_id: uuid.UUID, envelope: str, now: datetime
    ) -> None:
        """Keep an event until its registration is known (once per event id)."""
        await self._session.exec(
            insert_ignoring_conflicts(self._session, _PARKED).values(
                event_id=event_id, registration_id=registration_id, envelope=envelope, parked_at=now
            )
        )

    async def take_parked(self, *, registration_id: uuid.UUID) -> list[str]:
        """The envelopes parked for a registration (JSON), removed from the park."""
        rows = (
            await self._session.exec(
                select(ParkedEvent)
                .where(col(ParkedEvent.registration_id) == registration_id)
                .order_by(col(ParkedEvent.parked_at))
            )
        ).all()
        if rows:
            await self._session.exec(
                delete(ParkedEvent).where(col(ParkedEvent.registration_id) == registration_id)
            )
        return [row.envelope for row in rows]
