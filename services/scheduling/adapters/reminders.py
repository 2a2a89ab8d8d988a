"""Repository of reminders: one row per enrolment and offset (keyword-only, never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.adapters.tables import Reminder


class ReminderRepository:
    """Planned and sent reminders."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def create(self, *, enrolment_id: uuid.UUID, offset_s: int, due_at: datetime) -> Reminder:
        """Stage a new reminder."""
        reminder = Reminder(enrolment_id=enrolment_id, offset_s=offset_s, due_at=due_at)
        self._session.add(reminder)
        return reminder

    async def list_all(self, *, enrolment_id: uuid.UUID) -> list[Reminder]:
        """An enrolment's reminders, earliest first."""
        result = await self._session.exec(
            select(Reminder)
            .where(Reminder.enrolment_id == enrolment_id)
            .order_by(col(Reminder.due_at))
        )
        return list(result)

    async def delete(
        self, *, enrolment_ids: Sequence[uuid.UUID], unsent_only: bool = False
    ) -> None:
        """Drop the reminders of these enrolments (only those not sent yet, if asked)."""
        if not enrolment_ids:
            return
        statement = delete(Reminder).where(col(Reminder.enrolment_id).in_(enrolment_ids))
        if unsent_only:
            statement = statement.where(col(Reminder.sent_at).is_(None))
        await self._session.exec(statement)

    async def lock_due(self, *, now: datetime, limit: int) -> list[Reminder]:
        """Due, unsent reminders locked for this transaction, earliest first.

        `SKIP LOCKED` lets another replica take the next ones instead of waiting (PostgreSQL);
        the rows are marked sent in the same transaction, so each goes out once.
        """
        result = await self._session.exec(
            select(Reminder)
            .where(col(Reminder.sent_at).is_(None), col(Reminder.due_at) <= now)
            .order_by(col(Reminder.due_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(result)
