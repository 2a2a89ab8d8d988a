"""Repositories of what scheduling keeps of others: registrations and feeds (never commit)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.adapters.tables import Feed, KnownRegistration
from services.scheduling.domain.states import SEATED_STATES
from shared.db import insert_ignoring_conflicts


class RegistrationRepository:
    """The read model of registrations, built from registration events."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def create(
        self,
        *,
        registration_id: uuid.UUID,
        organisation_name: str,
        business_id: str,
        submitted_at: datetime,
        received_at: datetime,
    ) -> KnownRegistration:
        """Stage a registration learnt from an event (its participants still to be set)."""
        row = KnownRegistration(
            registration_id=registration_id,
            organisation_name=organisation_name,
            business_id=business_id,
            participants=[],
            submitted_at=submitted_at,
            received_at=received_at,
        )
        self._session.add(row)
        return row

    async def get(self, *, registration_id: uuid.UUID) -> KnownRegistration | None:
        """The read-model row, or None."""
        return await self._session.get(KnownRegistration, registration_id)

    async def list_accepted(self, *, year: int, number: int) -> list[KnownRegistration]:
        """Accepted registrations of one period, oldest first."""
        result = await self._session.exec(
            select(KnownRegistration)
            .where(
                col(KnownRegistration.state).in_(SEATED_STATES),
                KnownRegistration.period_year == year,
                KnownRegistration.period_number == number,
            )
            .order_by(col(KnownRegistration.received_at))
        )
        return list(result)


class FeedRepository:
    """Participants' calendar feeds, one per email."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, *, email: str) -> Feed | None:
        """A participant's feed row by their email, or None."""
        return await self._session.get(Feed, email)

    async def add_once(self, *, email: str, salt: str, token_hash: str, now: datetime) -> Feed:
        """Insert the feed unless the participant has one already (a concurrent insert, say);
        return the one that is stored."""
        feed = Feed(email=email, salt=salt, token_hash=token_hash, created_at=now)
        values = feed.model_dump()
        # SQLModel sets `__table__` when the class is made; its stubs do not declare it.
        table = Feed.__table__  # type: ignore[attr-defined]
        await self._session.exec(insert_ignoring_conflicts(self._session, table).values(**values))
        result = await self._session.exec(
            select(Feed).where(Feed.email == feed.email).execution_options(populate_existing=True)
        )
        return result.one()

    async def find(self, *, token_hash: str) -> Feed | None:
        """The feed whose token hashes to `token_hash`, or None."""
        statement = select(Feed).where(Feed.token_hash == token_hash)
        return (await self._session.exec(statement)).first()
