"""The delivery log's use cases: list a subscription's deliveries, read one, redeliver one."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from services.webhooks.app.ports import DeliveryRecord, WebhooksUnitOfWorkPort
from services.webhooks.app.schemas import DeliveryDetail, DeliveryPage, DeliveryPublic
from services.webhooks.app.subscriptions import visible
from services.webhooks.app.views import delivery_detail, delivery_public
from services.webhooks.domain.errors import (
    DELIVERY_IN_PROGRESS,
    SUBSCRIPTION_NOT_ACTIVE,
    WEBHOOK_DELIVERY_NOT_FOUND,
)
from services.webhooks.domain.model import FINAL, DeliveryStatus, SubscriptionStatus
from shared.auth import Principal
from shared.clock import Clock
from shared.paging import decode_cursor, encode_cursor


async def _delivery(
    uow: WebhooksUnitOfWorkPort, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryRecord:
    row = await uow.deliveries.get(delivery_id=delivery_id)
    if row is None or row.subscription_id != subscription_id:
        raise WEBHOOK_DELIVERY_NOT_FOUND(f"No delivery {delivery_id} of this subscription.")
    return row


async def list_deliveries(
    subscription_id: uuid.UUID,
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
    cursor: str | None,
    limit: int,
) -> DeliveryPage:
    """A subscription's deliveries, oldest first."""
    after = decode_cursor(cursor) if cursor else None
    async with uow:
        await visible(uow, subscription_id, caller)
        rows = await uow.deliveries.find(
            subscription_id=subscription_id, after=after, limit=limit + 1
        )
    page, more = rows[:limit], len(rows) > limit
    last = page[-1] if page else None
    return DeliveryPage(
        items=[delivery_public(row) for row in page],
        next_cursor=encode_cursor(last.created_at, last.id) if more and last else None,
    )


async def get_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
) -> DeliveryDetail:
    """One delivery with its body and every attempt (headers, status, duration, excerpt)."""
    async with uow:
        await visible(uow, subscription_id, caller)
        row = await _delivery(uow, subscription_id, delivery_id)
        attempts = await uow.deliveries.attempts_of(delivery_id=delivery_id)
    return delivery_detail(row, attempts)


async def redeliver(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
    clock: Clock,
    on_queued: Callable[[], None],
) -> DeliveryPublic:
    """Queue the event again for this subscription: a new round, the same `webhook-id` and body.

    Only once the delivery is over (succeeded, failed or cancelled), and only to a
    subscription that is not disabled.
    """
    now = clock.now()
    async with uow:
        subscription = await visible(uow, subscription_id, caller)
        if subscription.status == SubscriptionStatus.DISABLED:
            raise SUBSCRIPTION_NOT_ACTIVE(
                f"The subscription is disabled ({subscription.status_reason}); resume it with "
                '`PATCH {"paused": false}` before redelivering.'
            )
        row = await _delivery(uow, subscription_id, delivery_id)
        if DeliveryStatus(row.status) not in FINAL:
            raise DELIVERY_IN_PROGRESS(
                "This delivery is still being attempted; redeliver it once it has succeeded "
                "or failed."
            )
        round_ = await uow.deliveries.last_round(
            subscription_id=subscription_id, event_id=row.event_id
        )
        new_id = await uow.deliveries.add(
            subscription_id=subscription_id,
            event_id=row.event_id,
            event_type=row.event_type,
            body=row.body,
            correlation_id=row.correlation_id,
            now=now,
            round=round_ + 1,
        )
        created = await uow.deliveries.get(delivery_id=new_id) if new_id else None
        if created is None:  # another redelivery took this round a moment ago
            raise DELIVERY_IN_PROGRESS("This event is being redelivered already.")
        uow.after_commit(on_queued)
        await uow.commit()
    return delivery_public(created)
