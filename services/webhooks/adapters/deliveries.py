"""Deliveries and their attempt log: a repository bound to a session; never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.webhooks.adapters.tables import Attempt, Delivery, Subscription
from services.webhooks.domain.model import DeliveryStatus, SubscriptionStatus
from shared.db import insert_ignoring_conflicts

_DELIVERIES = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Finish:
    """How a claim ends: the delivery's new state, written only while the claim's token holds."""

    delivery_id: uuid.UUID
    token: uuid.UUID
    status: DeliveryStatus
    attempts: int
    now: datetime
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None


class DeliveryRepository:
    """Deliveries of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        subscription_id: uuid.UUID,
        event_id: uuid.UUID,
        event_type: str,
        body: str,
        correlation_id: str,
        now: datetime,
        round: int = 0,
    ) -> uuid.UUID | None:
        """Queue a delivery due now; its id, or None when this (subscription, event, round)
        exists already."""
        statement = (
            insert_ignoring_conflicts(self._session, _DELIVERIES)
            .values(
                id=uuid.uuid4(),
                subscription_id=subscription_id,
                event_id=event_id,
                event_type=event_type,
                round=round,
                body=body,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                correlation_id=correlation_id[:200],
                created_at=now,
                updated_at=now,
            )
            .returning(_DELIVERIES.c.id)
        )
        found = (await self._session.exec(statement)).first()
        return found[0] if found is not None else None

    async def get(self, *, delivery_id: uuid.UUID) -> Delivery | None:
        """One delivery by id, or None."""
        return await self._session.get(Delivery, delivery_id)

    async def last_round(self, *, subscription_id: uuid.UUID, event_id: uuid.UUID) -> int:
        """The highest round of an event's deliveries to a subscription (-1: none)."""
        statement = select(func.max(Delivery.round)).where(
            Delivery.subscription_id == subscription_id, Delivery.event_id == event_id
        )
        found = (await self._session.exec(statement)).one()
        return -1 if found is None else int(found)

    async def find(
        self,
        *,
        subscription_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[Delivery]:
        """A subscription's deliveries, oldest first, after (created, id)."""
        statement = select(Delivery).where(Delivery.subscription_id == subscription_id)
        if after is not None:
            created_at, row_id = after
            statement = statement.where(
                or_(
                    col(Delivery.created_at) > created_at,
                    and_(col(Delivery.created_at) == created_at, col(Delivery.id) > row_id),
                )
            )
        ordered = statement.order_by(col(Delivery.created_at), col(Delivery.id)).limit(limit)
        return list((await self._session.exec(ordered)).all())

    async def attempts_of(self, *, delivery_id: uuid.UUID) -> list[Attempt]:
        """A delivery's logged attempts, first first."""
        statement = (
            select(Attempt).where(Attempt.delivery_id == delivery_id).order_by(col(Attempt.number))
        )
        return list((await self._session.exec(statement)).all())

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, token: uuid.UUID, limit: int
    ) -> list[Delivery]:
        """Mark due deliveries of active subscriptions `sending` under this claim, return them.

        Due: `pending` whose time has come, and `sending` whose lease ran out (its sender
        died). On PostgreSQL `FOR UPDATE SKIP LOCKED` keeps concurrent senders apart: each
        row goes to one claimer, the others skip it; SQLite transactions here begin
        IMMEDIATE, which serialises claimers. The token fences every later write.
        """
        active = select(Subscription.id).where(Subscription.status == SubscriptionStatus.ACTIVE)
        due = (
            select(Delivery.id)
            .where(
                or_(
                    and_(
                        col(Delivery.status) == DeliveryStatus.PENDING,
                        col(Delivery.next_attempt_at) <= now,
                    ),
                    and_(
                        col(Delivery.status) == DeliveryStatus.SENDING,
                        col(Delivery.claimed_until) <= now,
                    ),
                ),
                col(Delivery.subscription_id).in_(active),
            )
            .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(Delivery)
            .where(col(Delivery.id).in_(due.scalar_subquery()))
            .values(
                status=DeliveryStatus.SENDING,
                claimed_until=lease_until,
                claim_token=token,
                updated_at=now,
            )
            .returning(Delivery)
            .execution_options(synchronize_session=False)
        )
        rows: list[Delivery] = list((await self._session.exec(claim)).scalars().all())
        rows.sort(key=lambda d: (d.created_at, str(d.id)))
        return rows

    async def finish(self, *, outcome: Finish) -> bool:
        """End a claim with the delivery's new state; False when the claim was lost."""
        o = outcome
        result = await self._session.exec(
            update(Delivery)
            .where(
                col(Delivery.id) == o.delivery_id,
                col(Delivery.status) == DeliveryStatus.SENDING,
                col(Delivery.claim_token) == o.token,
            )
            .values(
                status=o.status,
                attempts=o.attempts,
                next_attempt_at=o.next_attempt_at,
                last_status_code=o.last_status_code,
                last_error=o.last_error[:2000] if o.last_error else None,
                claimed_until=None,
                claim_token=None,
                updated_at=o.now,
                finished_at=o.now if o.next_attempt_at is None else None,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)

    async def log_attempt(self, *, attempt: Attempt) -> None:
        """Add one attempt to the delivery log."""
        self._session.add(attempt)

    async def cancel_pending(
        self, *, subscription_id: uuid.UUID, reason: str, now: datetime
    ) -> int:
        """Cancel a subscription's deliveries not yet done (it was disabled); how many."""
        result = await self._session.exec(
            update(Delivery)
            .where(
                col(Delivery.subscription_id) == subscription_id,
                col(Delivery.status) == DeliveryStatus.PENDING,
            )
            .values(
                status=DeliveryStatus.CANCELLED,
                next_attempt_at=None,
                last_error=reason[:2000],
                updated_at=now,
                finished_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)

    async def purge_log(self, *, before: datetime) -> int:
        """Drop attempts logged before `before` (the log's retention); how many."""
        result = await self._session.exec(delete(Attempt).where(col(Attempt.started_at) < before))
        return int(result.rowcount)
