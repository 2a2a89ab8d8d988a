"""Persistence of the local read model of the scheduling service's periods."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.tables import KnownPeriod, metadata
from services.registration.domain.rules import PeriodWindow

_PERIODS = metadata.tables[KnownPeriod.__tablename__]
_WINDOW = core_select(
    _PERIODS.c.year,
    _PERIODS.c.number,
    _PERIODS.c.starts_on,
    _PERIODS.c.ends_on,
    _PERIODS.c.registration_opens_on,
    _PERIODS.c.registration_closes_on,
).where(_PERIODS.c.year == bindparam("year"), _PERIODS.c.number == bindparam("number"))


class PeriodRepository:
    """The periods as the registration service knows them from `period.*` events."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def new(self, **values: Any) -> KnownPeriod:
        """A period first heard of, added."""
        period = KnownPeriod(**values)
        self._session.add(period)
        return period

    async def get(self, *, year: int, number: int) -> KnownPeriod | None:
        """The period as the read model knows it."""
        return await self._session.get(KnownPeriod, (year, number))

    async def get_window(self, *, year: int, number: int) -> PeriodWindow | None:
        """The period's dates as the rules need them (a plain read: no ORM object to track)."""
        connection = await self._session.connection()
        row = (await connection.execute(_WINDOW, {"year": year, "number": number})).first()
        return None if row is None else PeriodWindow(**row._mapping)

    async def get_by_id(self, *, period_id: uuid.UUID) -> KnownPeriod | None:
        """The period with the scheduling service's id, whatever its year and number."""
        statement = select(KnownPeriod).where(KnownPeriod.period_id == period_id)
        return (await self._session.exec(statement)).first()

    async def remove(self, *, year: int, number: int) -> None:
        """Drop a period row now (flushed, so that its id can be stored again at once)."""
        period = await self.get(year=year, number=number)
        if period is not None:
            await self._session.delete(period)
            await self._session.flush()
