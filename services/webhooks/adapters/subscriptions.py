"""Subscriptions' persistence: a repository bound to a session; keyword-only, never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.webhooks.adapters.tables import Attempt, Delivery, Subscription
from services.webhooks.domain.model import SubscriptionStatus


class SubscriptionRepository:
    """Subscriptions of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        business_id: str,
        url: str,
        event_types: str,
        description: str | None,
        secret_ciphertext: str,
        created_by: str,
        now: datetime,
    ) -> Subscription:
        """A new active subscription."""
        row = Subscription(
            business_id=business_id,
            url=url,
            event_types=event_types,
            description=description,
            status=SubscriptionStatus.ACTIVE,
            secret_ciphertext=secret_ciphertext,
            created_by=created_by[:200],
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def get(self, *, subscription_id: uuid.UUID) -> Subscription | None:
        """One subscription by id, or None."""
        return await self._session.get(Subscription, subscription_id)

    async def get_many(self, *, ids: set[uuid.UUID]) -> dict[uuid.UUID, Subscription]:
        """Subscriptions by id (the missing ones left out)."""
        if not ids:
            return {}
        rows = await self._session.exec(select(Subscription).where(col(Subscription.id).in_(ids)))
        return {row.id: row for row in rows.all()}

    async def count(self, *, business_id: str) -> int:
        """How many subscriptions an organisation has."""
        statement = select(func.count()).where(Subscription.business_id == business_id)
        return int((await self._session.exec(statement)).one())

    async def find(
        self,
        *,
        limit: int,
        business_id: str | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[Subscription]:
        """Subscriptions oldest first (of one organisation when given), after (created, id)."""
        statement = select(Subscription)
        if business_id is not None:
            statement = statement.where(Subscription.business_id == business_id)
        if after is not None:
            created_at, row_id = after
            statement = statement.where(
                or_(
                    col(Subscription.created_at) > created_at,
                    and_(col(Subscription.created_at) == created_at, col(Subscription.id) > row_id),
                )
            )
        ordered = statement.order_by(col(Subscription.created_at), col(Subscription.id))
        return list((await self._session.exec(ordered.limit(limit))).all())

    async def taking(self, *, business_id: str) -> list[Subscription]:
        """An organisation's subscriptions that take new deliveries (active or paused)."""
        statement = select(Subscription).where(
            Subscription.business_id == business_id,
            col(Subscription.status).in_([SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED]),
        )
        return list((await self._session.exec(statement)).all())

    async def delete(self, *, subscription_id: uuid.UUID) -> None:
        """Remove a subscription with its deliveries and their log."""
        await self._session.exec(
            delete(Attempt).where(col(Attempt.subscription_id) == subscription_id)
        )
        await self._session.exec(
            delete(Delivery).where(col(Delivery.subscription_id) == subscription_id)
        )
        await self._session.exec(
            delete(Subscription).where(col(Subscription.id) == subscription_id)
        )
