"""The suppression list's persistence: a repository bound to a session; never commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.adapters.tables import Suppression
from shared.db import insert_ignoring_conflicts


class SuppressionRepository:
    """Suppressed addresses (always normalised) of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_among(self, *, emails: Collection[str]) -> set[str]:
        """Which of these addresses are on the suppression list."""
        if not emails:
            return set()
        result = await self._session.exec(
            select(Suppression.email).where(col(Suppression.email).in_(list(emails)))
        )
        return set(result.all())

    async def add(self, *, email: str, reason: str, now: datetime) -> None:
        """Put an address on the suppression list (kept as is when it already was)."""
        table = Suppression.__table__  # type: ignore[attr-defined]
        statement = insert_ignoring_conflicts(self._session, table).values(
            email=email, reason=reason[:2000], created_at=now
        )
        await self._session.exec(statement)

    async def get(self, *, email: str) -> Suppression | None:
        """The suppression of an address, or None."""
        return await self._session.get(Suppression, email)

    async def remove(self, *, email: str) -> bool:
        """Take an address off the suppression list; False when it was not on it."""
        result = await self._session.exec(
            delete(Suppression)
            .where(col(Suppression.email) == email)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)
