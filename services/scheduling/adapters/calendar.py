"""Repositories of the calendar: periods and sessions (keyword-only, never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.adapters.tables import Period
from services.scheduling.adapters.tables import Session as SessionRow
from services.scheduling.domain.calendar import NewSession, PeriodDates


class PeriodRepository:
    """Deployment periods (R1)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def create(self, *, dates: PeriodDates, now: datetime) -> Period:
        """Stage a new (draft) period."""
        period = Period(**asdict(dates), created_at=now, updated_at=now)
        self._session.add(period)
        return period

    async def list_all(self, *, year: int | None = None) -> list[Period]:
        """Periods (of one year), in date order."""
        statement = select(Period).order_by(col(Period.starts_on))
        if year is not None:
            statement = statement.where(Period.year == year)
        return list(await self._session.exec(statement))

    async def get(self, *, period_id: uuid.UUID, lock: bool = False) -> Period | None:
        """One period; `lock` holds its row until the transaction ends (PostgreSQL)."""
        statement = select(Period).where(Period.id == period_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return (await self._session.exec(statement)).first()

    async def find(self, *, year: int, number: int, lock: bool = False) -> Period | None:
        """The period `number` of `year`, or None; `lock` holds its row (PostgreSQL)."""
        statement = select(Period).where(Period.year == year, Period.number == number)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return (await self._session.exec(statement)).first()


class SessionRepository:
    """Preparation events and trainings (R2); their row lock serialises seat changes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def create(self, *, new: NewSession, now: datetime) -> SessionRow:
        """Stage a new session."""
        row = SessionRow(**asdict(new), created_at=now, updated_at=now)
        self._session.add(row)
        return row

    async def list_all(
        self, *, period_ids: Sequence[uuid.UUID], statuses: Iterable[str] = ()
    ) -> list[SessionRow]:
        """Sessions of the given periods in time order, optionally of some statuses only."""
        statement = select(SessionRow).where(col(SessionRow.period_id).in_(period_ids))
        wanted = list(statuses)
        if wanted:
            statement = statement.where(col(SessionRow.status).in_(wanted))
        return list(await self._session.exec(statement.order_by(col(SessionRow.starts_at))))

    async def get(self, *, session_id: uuid.UUID, lock: bool = False) -> SessionRow | None:
        """One session; `lock` takes its row lock, which serialises seat changes (PostgreSQL).

        On SQLite the unit of work's `BEGIN IMMEDIATE` already serialises every writer.
        """
        statement = select(SessionRow).where(SessionRow.id == session_id)
        if lock:
            statement = statement.with_for_update()
            result = await self._session.exec(statement.execution_options(populate_existing=True))
            return result.first()
        return (await self._session.exec(statement)).first()
