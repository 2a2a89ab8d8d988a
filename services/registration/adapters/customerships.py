"""Persistence of Kanta customerships (R8)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.tables import Customership


class CustomershipRepository:
    """One customership per organisation, keyed by business ID."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, *, business_id: str) -> Customership | None:
        """The organisation's customership, if one is recorded."""
        return await self._session.get(Customership, business_id)

    def new(self, **values: Any) -> Customership:
        """An organisation's first customership record, added."""
        customership = Customership(**values)
        self._session.add(customership)
        return customership

    async def list_after(self, *, after: str | None) -> Sequence[Customership]:
        """Every customership after business ID `after`, in business ID order."""
        query = select(Customership).order_by(col(Customership.business_id))
        if after is not None:
            query = query.where(col(Customership.business_id) > after)
        return (await self._session.exec(query)).all()
