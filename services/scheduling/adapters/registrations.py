"""Repositories of what scheduling keeps of others: registrations and feeds (never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
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

    async def get(
        self, *, registration_id: uuid.UUID, lock: bool = False
    ) -> KnownRegistration | None:
        """The read-model row, or None; `lock` holds it (and reads it afresh) until the end."""
        statement = select(KnownRegistration).where(
            KnownRegistration.registration_id == registration_id
        )
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return (await self._session.exec(statement)).first()

    async def list_by_ids(
        self, *, registration_ids: Iterable[uuid.UUID]
    ) -> list[KnownRegistration]:
        """The read-model rows of these registrations (those known)."""
        wanted = list(registration_ids)
        if not wanted:
            return []
        result = await self._session.exec(
            select(KnownRegistration).where(col(KnownRegistration.registration_id).in_(wanted))
        )
        return list(result)

    async def list_accepted(self, *, year: int, number: int) -> list[KnownRegistration]:
        """Registrations whose participants hold seats in one period (R2), oldest first."""
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
    """Participants' calendar feeds: one live feed per contact of a registration."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, *, registration_id: uuid.UUID, email: str) -> Feed | None:
        """The contact's live feed in the registration, or None."""
        result = await self._session.exec(
            select(Feed)
            .where(
                Feed.registration_id == registration_id,
                Feed.email == email,
                col(Feed.revoked_at).is_(None),
            )
            .execution_options(populate_existing=True)
        )
        return result.first()

    async def add_once(
        self, *, registration_id: uuid.UUID, email: str, salt: str, token_hash: str, now: datetime
    ) -> Feed:
        """Insert the feed unless the contact has a live one already (a concurrent insert,
        say); return the one that is stored."""
        feed = Feed(
            registration_id=registration_id,
            email=email,
            salt=salt,
            token_hash=token_hash,
            created_at=now,
        )
        values = feed.model_dump()
        # SQLModel sets `__table__` when the class is made; its stubs do not declare it.
        table = Feed.__table__  # type: ignore[attr-defined]
        await self._session.exec(insert_ignoring_conflicts(self._session, table).values(**values))
        stored = await self.get(registration_id=registration_id, email=email)
        assert stored is not None
        return stored

    async def find(self, *, token_hash: str) -> Feed | None:
        """The live feed whose token hashes to `token_hash`, or None."""
        statement = select(Feed).where(
            Feed.token_hash == token_hash, col(Feed.revoked_at).is_(None)
        )
        return (await self._session.exec(statement)).first()

    async def revoke(
        self, *, registration_id: uuid.UUID, now: datetime, keep: Iterable[str] | None = None
    ) -> int:
        """Revoke the registration's live feeds (but those of the emails in `keep`)."""
        kept = None if keep is None else set(keep)
        result = await self._session.exec(
            select(Feed).where(
                Feed.registration_id == registration_id, col(Feed.revoked_at).is_(None)
            )
        )
        revoked = 0
        for feed in result:
            if kept is None or feed.email not in kept:
                feed.revoked_at = now
                revoked += 1
        if revoked:
            await self._session.flush()
        return revoked
