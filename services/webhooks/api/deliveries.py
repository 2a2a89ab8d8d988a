"""Routes of the delivery log: a subscription's deliveries, one with its attempts, redeliver."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.webhooks.api.deps import ClockDep, DoorbellDep, UoW
from services.webhooks.app import deliveries
from services.webhooks.app.schemas import DeliveryDetail, DeliveryPage, DeliveryPublic
from services.webhooks.domain.errors import (
    DELIVERY_IN_PROGRESS,
    SUBSCRIPTION_NOT_ACTIVE,
    SUBSCRIPTION_NOT_FOUND,
    WEBHOOK_DELIVERY_NOT_FOUND,
)
from shared.auth import Caller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Cursor, Limit
from shared.problems import INVALID_CURSOR, UNAUTHORIZED, VALIDATION_ERROR

router = APIRouter(prefix="/v1", tags=["webhooks"])


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    summary="List a subscription's deliveries, oldest first",
    responses=problem_responses(
        UNAUTHORIZED, SUBSCRIPTION_NOT_FOUND, INVALID_CURSOR, VALIDATION_ERROR
    ),
)
async def list_deliveries(
    subscription_id: uuid.UUID,
    uow: UoW,
    caller: Caller,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> DeliveryPage:
    """Each event sent to the subscription: status, attempts, the last answer."""
    return await deliveries.list_deliveries(
        subscription_id, uow, caller=caller, cursor=cursor, limit=limit
    )


@router.get(
    "/webhooks/{subscription_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="Read one delivery with its body and every attempt",
    responses=problem_responses(
        UNAUTHORIZED, SUBSCRIPTION_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND, VALIDATION_ERROR
    ),
)
async def read_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, uow: UoW, caller: Caller
) -> DeliveryDetail:
    """Per attempt: the request headers, the status, the duration and the response's start."""
    return await deliveries.get_delivery(subscription_id, delivery_id, uow, caller=caller)


@router.post(
    "/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
    summary="Send an event again",
    responses=problem_responses(
        UNAUTHORIZED,
        SUBSCRIPTION_NOT_FOUND,
        WEBHOOK_DELIVERY_NOT_FOUND,
        DELIVERY_IN_PROGRESS,
        SUBSCRIPTION_NOT_ACTIVE,
        VALIDATION_ERROR,
    ),
)
async def redeliver(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    uow: UoW,
    caller: Caller,
    clock: ClockDep,
    doorbell: DoorbellDep,
) -> DeliveryPublic:
    """A new round of the delivery with the same `webhook-id` and body, due at once (the
    subscription's organisation, or staff)."""
    return await deliveries.redeliver(
        subscription_id, delivery_id, uow, caller=caller, clock=clock, on_queued=doorbell.ring
    )
