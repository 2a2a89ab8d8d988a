"""Persistence of deployment tests (R10)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.tables import DeploymentTest
from services.registration.domain.deployment_tests import DeploymentTestState, ReportFlag
from services.registration.domain.listing import DeploymentTestFilters


class DeploymentTestRepository:
    """Deployment tests, and the once-only claims of the report-deadline watch."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def new(self, **values: Any) -> DeploymentTest:
        """A new test, added."""
        test = DeploymentTest(**values)
        self._session.add(test)
        return test

    async def get(self, *, test_id: uuid.UUID, for_update: bool = False) -> DeploymentTest | None:
        """The test with this id, row-locked on PostgreSQL when it is about to change."""
        statement = select(DeploymentTest).where(DeploymentTest.id == test_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self._session.exec(statement)).first()

    async def list_awaiting_report(self) -> Sequence[DeploymentTest]:
        """Successful tests not yet reported nor flagged overdue."""
        statement = select(DeploymentTest).where(
            DeploymentTest.state == DeploymentTestState.SUCCEEDED,
            col(DeploymentTest.overdue_flagged_at).is_(None),
        )
        return (await self._session.exec(statement)).all()

    async def claim(self, *, test_id: uuid.UUID, flag: ReportFlag, at: datetime) -> bool:
        """Set `flag` on a still-successful test if nobody has: True for the one who did.

        A conditional UPDATE, so that with several replicas each flag is set (and its event
        emitted) exactly once.
        """
        table = DeploymentTest.__table__  # type: ignore[attr-defined]
        connection = await self._session.connection()
        result = await connection.execute(
            update(table)
            .where(
                table.c.id == test_id,
                table.c[flag].is_(None),
                table.c.state == DeploymentTestState.SUCCEEDED,
            )
            .values({flag: at})
        )
        return bool(result.rowcount == 1)

    async def list_page(
        self,
        *,
        filters: DeploymentTestFilters,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[DeploymentTest]:
        """Up to `limit` tests after `after` in (created_at, id) order."""
        t = DeploymentTest
        query = select(t)
        if filters.business_id is not None:
            query = query.where(t.business_id == filters.business_id)
        if filters.registration_id is not None:
            query = query.where(t.registration_id == filters.registration_id)
        if filters.state is not None:
            query = query.where(t.state == filters.state)
        overdue = or_(
            col(t.overdue_flagged_at).is_not(None),
            and_(
                col(t.state) == DeploymentTestState.SUCCEEDED,
                col(t.report_due_on) < filters.today,
            ),
        )
        if filters.report_overdue is True:
            query = query.where(overdue)
        elif filters.report_overdue is False:
            query = query.where(~overdue)
        if after is not None:
            after_at, after_id = after
            query = query.where(
                or_(
                    col(t.created_at) > after_at,
                    and_(col(t.created_at) == after_at, col(t.id) > after_id),
                )
            )
        query = query.order_by(col(t.created_at), col(t.id)).limit(limit)
        return (await self._session.exec(query)).all()
