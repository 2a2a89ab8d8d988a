"""Persistence of change notices (R9) and their append-only history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.tables import Notice, NoticeHistory
from services.registration.domain.listing import NoticeFilters


class NoticeRepository:
    """Notices and who did what to them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def new(self, **values: Any) -> Notice:
        """A new notice, added."""
        notice = Notice(**values)
        self._session.add(notice)
        return notice

    def new_history(self, **values: Any) -> NoticeHistory:
        """A new history row of a notice, added (rows are only ever added)."""
        entry = NoticeHistory(**values)
        self._session.add(entry)
        return entry

    async def get(self, *, notice_id: uuid.UUID, for_update: bool = False) -> Notice | None:
        """The notice with this id, row-locked on PostgreSQL when it is about to change."""
        statement = select(Notice).where(Notice.id == notice_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self._session.exec(statement)).first()

    async def list_history(self, *, notice_id: uuid.UUID) -> list[NoticeHistory]:
        """A notice's history, oldest first."""
        rows = await self._session.exec(
            select(NoticeHistory)
            .where(NoticeHistory.notice_id == notice_id)
            .order_by(col(NoticeHistory.id))
        )
        return list(rows)

    async def list_page(
        self, *, filters: NoticeFilters, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Notice]:
        """Up to `limit` notices after `after` in (created_at, id) order."""
        query = select(Notice)
        if filters.business_id is not None:
            query = query.where(Notice.business_id == filters.business_id)
        if filters.state is not None:
            query = query.where(Notice.state == filters.state)
        if filters.kind is not None:
            query = query.where(Notice.kind == filters.kind)
        if filters.routed_to_kela is not None:
            query = query.where(Notice.routed_to_kela == filters.routed_to_kela)
        if after is not None:
            after_at, after_id = after
            query = query.where(
                or_(
                    col(Notice.created_at) > after_at,
                    and_(col(Notice.created_at) == after_at, col(Notice.id) > after_id),
                )
            )
        query = query.order_by(col(Notice.created_at), col(Notice.id)).limit(limit)
        return (await self._session.exec(query)).all()
