"""The subscriptions' use cases: register, list, read, change, rotate the secret, delete.

An organisation works only on its own subscriptions (its token's business ID); another's is
reported missing (404), so ids reveal nothing. Staff read every subscription; changing one
is its organisation's business.
"""

from __future__ import annotations

import json
import secrets
import uuid

from services.webhooks.app.ports import (
    AddressCheckPort,
    SecretBoxPort,
    SubscriptionRecord,
    WebhooksUnitOfWorkPort,
)
from services.webhooks.app.schemas import (
    SecretRotated,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from services.webhooks.app.views import subscription_public
from services.webhooks.domain.addresses import AddressRefused
from services.webhooks.domain.catalogue import unknown_types
from services.webhooks.domain.errors import (
    SUBSCRIPTION_NOT_FOUND,
    TOO_MANY_SUBSCRIPTIONS,
    UNKNOWN_EVENT_TYPE,
    WEBHOOK_URL_REFUSED,
)
from services.webhooks.domain.model import SubscriptionStatus
from services.webhooks.domain.signing import SECRET_BYTES, secret_from_bytes
from services.webhooks.settings import WebhooksSettings
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import ServiceError
from shared.paging import decode_cursor, encode_cursor


def subscription_not_found(subscription_id: uuid.UUID) -> ServiceError:
    """The one answer for a subscription that is missing or not the caller's."""
    return SUBSCRIPTION_NOT_FOUND(f"No webhook subscription {subscription_id}.")


async def visible(
    uow: WebhooksUnitOfWorkPort, subscription_id: uuid.UUID, caller: Principal
) -> SubscriptionRecord:
    """The subscription if the caller may see it (inside `async with uow`), else NotFound."""
    row = await uow.subscriptions.get(subscription_id=subscription_id)
    if row is None or not caller.may_see(row.business_id):
        raise subscription_not_found(subscription_id)
    return row


async def own(
    uow: WebhooksUnitOfWorkPort, subscription_id: uuid.UUID, caller: Principal
) -> SubscriptionRecord:
    """The subscription if it is the calling organisation's own, else NotFound."""
    row = await uow.subscriptions.get(subscription_id=subscription_id)
    if row is None or row.business_id != caller.business_id:
        raise subscription_not_found(subscription_id)
    return row


def _event_types(requested: list[str]) -> str:
    unknown = unknown_types(requested)
    if unknown:
        raise UNKNOWN_EVENT_TYPE(
            f"{', '.join(unknown)}: not an event type a subscription can take; see the OpenAPI "
            "document's `webhooks`."
        )
    return json.dumps(list(dict.fromkeys(requested)))


async def _checked_url(addresses: AddressCheckPort, url: str) -> str:
    try:
        await addresses.check(url)
    except AddressRefused as exc:
        raise WEBHOOK_URL_REFUSED(f"{url}: {exc}; webhooks go only to public addresses.") from None
    return url


def _new_secret() -> str:
    return secret_from_bytes(secrets.token_bytes(SECRET_BYTES))


async def create_subscription(
    cmd: SubscriptionCreate,
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
    box: SecretBoxPort,
    addresses: AddressCheckPort,
    settings: WebhooksSettings,
    clock: Clock,
) -> SubscriptionCreated:
    """Register an endpoint of the caller's organisation; the secret is returned this once."""
    business_id = caller.business_id or ""
    event_types = _event_types(cmd.event_types)
    url = await _checked_url(addresses, cmd.url)
    secret = _new_secret()
    now = clock.now()
    async with uow:
        if await uow.subscriptions.count(business_id=business_id) >= (
            settings.webhook_max_subscriptions
        ):
            raise TOO_MANY_SUBSCRIPTIONS(
                f"The organisation has {settings.webhook_max_subscriptions} webhook "
                "subscriptions already; delete one first."
            )
        row = await uow.subscriptions.add(
            business_id=business_id,
            url=url,
            event_types=event_types,
            description=cmd.description,
            secret_ciphertext=box.seal(secret),
            created_by=caller.client_id,
            now=now,
        )
        await uow.commit()
    return SubscriptionCreated(**subscription_public(row, now=now).model_dump(), secret=secret)


async def list_subscriptions(
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
    business_id: str | None,
    cursor: str | None,
    limit: int,
    clock: Clock,
) -> SubscriptionPage:
    """Staff: every subscription (or one organisation's); an organisation: its own."""
    after = decode_cursor(cursor) if cursor else None
    owner = business_id if caller.is_staff else caller.business_id or ""
    async with uow:
        rows = await uow.subscriptions.find(business_id=owner, after=after, limit=limit + 1)
    page, more = rows[:limit], len(rows) > limit
    now = clock.now()
    last = page[-1] if page else None
    return SubscriptionPage(
        items=[subscription_public(row, now=now) for row in page],
        next_cursor=encode_cursor(last.created_at, last.id) if more and last else None,
    )


async def get_subscription(
    subscription_id: uuid.UUID, uow: WebhooksUnitOfWorkPort, *, caller: Principal, clock: Clock
) -> SubscriptionPublic:
    """One subscription the caller may see."""
    async with uow:
        row = await visible(uow, subscription_id, caller)
    return subscription_public(row, now=clock.now())


async def update_subscription(
    subscription_id: uuid.UUID,
    cmd: SubscriptionUpdate,
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
    addresses: AddressCheckPort,
    clock: Clock,
) -> SubscriptionPublic:
    """Change the URL, event types, description, or pause / resume (which also re-enables)."""
    event_types = _event_types(cmd.event_types) if cmd.event_types is not None else None
    url = await _checked_url(addresses, cmd.url) if cmd.url is not None else None
    now = clock.now()
    async with uow:
        row = await own(uow, subscription_id, caller)
        if url is not None:
            row.url = url
        if event_types is not None:
            row.event_types = event_types
        if "description" in cmd.model_fields_set:
            row.description = cmd.description
        if cmd.paused is True:
            row.status, row.status_reason = SubscriptionStatus.PAUSED, "paused by its organisation"
        elif cmd.paused is False:
            row.status, row.status_reason = SubscriptionStatus.ACTIVE, None
            row.failing_since = None
        row.updated_at = now
        await uow.commit()
    return subscription_public(row, now=now)


async def rotate_secret(
    subscription_id: uuid.UUID,
    uow: WebhooksUnitOfWorkPort,
    *,
    caller: Principal,
    box: SecretBoxPort,
    settings: WebhooksSettings,
    clock: Clock,
) -> SecretRotated:
    """A new secret; the current one keeps signing beside it for the grace period.

    Rotating again within the grace period ends the older secret at once: at most two sign.
    """
    secret = _new_secret()
    now = clock.now()
    until = now + settings.rotation_grace
    async with uow:
        row = await own(uow, subscription_id, caller)
        row.previous_secret_ciphertext = row.secret_ciphertext
        row.previous_secret_until = until
        row.secret_ciphertext = box.seal(secret)
        row.updated_at = now
        await uow.commit()
    return SecretRotated(secret=secret, previous_secret_valid_until=until)


async def delete_subscription(
    subscription_id: uuid.UUID, uow: WebhooksUnitOfWorkPort, *, caller: Principal
) -> None:
    """Remove the subscription, its deliveries and their log."""
    async with uow:
        await own(uow, subscription_id, caller)
        await uow.subscriptions.delete(subscription_id=subscription_id)
        await uow.commit()
