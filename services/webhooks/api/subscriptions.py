"""Routes of the webhook subscriptions: register, list, read, change, rotate, delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.webhooks.api.deps import AddressCheckDep, ClockDep, SecretBoxDep, SettingsDep, UoW
from services.webhooks.app import subscriptions
from services.webhooks.app.schemas import (
    SecretRotated,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from services.webhooks.domain.errors import (
    SUBSCRIPTION_NOT_FOUND,
    TOO_MANY_SUBSCRIPTIONS,
    UNKNOWN_EVENT_TYPE,
    WEBHOOK_URL_REFUSED,
)
from shared.auth import Caller, OrganisationCaller
from shared.openapi import problem_responses
from shared.paging import DEFAULT_LIMIT, Cursor, Limit
from shared.problems import INVALID_CURSOR, ORGANISATION_ONLY, UNAUTHORIZED, VALIDATION_ERROR

router = APIRouter(prefix="/v1", tags=["webhooks"])
WRITE = (UNAUTHORIZED, ORGANISATION_ONLY, VALIDATION_ERROR)


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionCreated,
    summary="Register a webhook endpoint of the calling organisation",
    responses=problem_responses(
        *WRITE, WEBHOOK_URL_REFUSED, UNKNOWN_EVENT_TYPE, TOO_MANY_SUBSCRIPTIONS
    ),
)
async def create_subscription(
    body: SubscriptionCreate,
    uow: UoW,
    caller: OrganisationCaller,
    box: SecretBoxDep,
    addresses: AddressCheckDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> SubscriptionCreated:
    """The answer carries the signing secret (`whsec_…`) this once; keep it safe. The URL must
    be `https://` and resolve only to public addresses."""
    return await subscriptions.create_subscription(
        body, uow, caller=caller, box=box, addresses=addresses, settings=settings, clock=clock
    )


@router.get(
    "/webhooks",
    response_model=SubscriptionPage,
    summary="List webhook subscriptions, oldest first",
    responses=problem_responses(UNAUTHORIZED, INVALID_CURSOR, VALIDATION_ERROR),
)
async def list_subscriptions(
    uow: UoW,
    caller: Caller,
    clock: ClockDep,
    business_id: Annotated[
        str | None, Query(max_length=20, description="Staff: one organisation's")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> SubscriptionPage:
    """Staff see every subscription; an organisation sees its own."""
    return await subscriptions.list_subscriptions(
        uow, caller=caller, business_id=business_id, cursor=cursor, limit=limit, clock=clock
    )


@router.get(
    "/webhooks/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Read one webhook subscription",
    responses=problem_responses(UNAUTHORIZED, SUBSCRIPTION_NOT_FOUND, VALIDATION_ERROR),
)
async def read_subscription(
    subscription_id: uuid.UUID, uow: UoW, caller: Caller, clock: ClockDep
) -> SubscriptionPublic:
    """Staff: any subscription; an organisation: its own (404 otherwise)."""
    return await subscriptions.get_subscription(subscription_id, uow, caller=caller, clock=clock)


@router.patch(
    "/webhooks/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Change, pause or resume a webhook subscription",
    responses=problem_responses(
        *WRITE, SUBSCRIPTION_NOT_FOUND, WEBHOOK_URL_REFUSED, UNKNOWN_EVENT_TYPE
    ),
)
async def update_subscription(
    subscription_id: uuid.UUID,
    body: SubscriptionUpdate,
    uow: UoW,
    caller: OrganisationCaller,
    addresses: AddressCheckDep,
    clock: ClockDep,
) -> SubscriptionPublic:
    """`paused: true` holds new deliveries (sent once resumed); `paused: false` resumes, also a
    subscription the service disabled."""
    return await subscriptions.update_subscription(
        subscription_id, body, uow, caller=caller, addresses=addresses, clock=clock
    )


@router.post(
    "/webhooks/{subscription_id}/rotate-secret",
    response_model=SecretRotated,
    summary="Rotate the signing secret",
    responses=problem_responses(*WRITE, SUBSCRIPTION_NOT_FOUND),
)
async def rotate_secret(
    subscription_id: uuid.UUID,
    uow: UoW,
    caller: OrganisationCaller,
    box: SecretBoxDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> SecretRotated:
    """The new secret is shown this once. Until `previous_secret_valid_until` every delivery
    carries two signatures (old and new secret), so the receiver can switch at leisure."""
    return await subscriptions.rotate_secret(
        subscription_id, uow, caller=caller, box=box, settings=settings, clock=clock
    )


@router.delete(
    "/webhooks/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a webhook subscription",
    responses=problem_responses(*WRITE, SUBSCRIPTION_NOT_FOUND),
)
async def delete_subscription(
    subscription_id: uuid.UUID, uow: UoW, caller: OrganisationCaller
) -> Response:
    """With its deliveries and their log; nothing more is sent to it."""
    await subscriptions.delete_subscription(subscription_id, uow, caller=caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
