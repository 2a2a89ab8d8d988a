"""The webhook sender: a background loop of passes that POST due deliveries.

Each pass claims a batch of due deliveries of active subscriptions in one statement (a lease
and a claim token; `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas claim disjoint rows),
then attempts them concurrently (at most `webhook_concurrency` at once), each within the
timeout, and records each outcome in a transaction of its own, fenced by the token: a sender
whose lease ran out cannot overwrite the outcome of the one that took over. So one attempt
is sent once while its sender lives; a sender that dies mid-attempt leaves the delivery
`sending` until the lease ends, and then it is attempted again (at least once: receivers
deduplicate by `webhook-id`). An attempt not started while one more still fits in the lease
is given back, untried.

Each attempt checks the URL again (DNS can change since registration) and connects to the
checked address. The outcome decides the next step (`domain.schedule`): success; another
attempt per the schedule or the endpoint's `Retry-After`; or, after 410 Gone, the last
attempt, or failures without a success for `webhook_disable_after_days`, the subscription
is disabled, its waiting deliveries cancelled, a warning logged and
`webhook.subscription_disabled` emitted in the same transaction.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.webhooks.adapters.deliveries import Finish
from services.webhooks.adapters.http import USER_AGENT, HttpOutcome, WebhookClient
from services.webhooks.adapters.resolver import AddressCheck
from services.webhooks.adapters.secret_box import SecretBox
from services.webhooks.adapters.tables import Attempt, Delivery, Subscription
from services.webhooks.adapters.uow import WebhooksUnitOfWork
from services.webhooks.domain.addresses import AddressRefused
from services.webhooks.domain.model import DeliveryStatus, SubscriptionStatus
from services.webhooks.domain.schedule import (
    RetrySchedule,
    Verdict,
    failing_too_long,
    honours_retry_after,
    parse_retry_after,
    verdict_of,
)
from services.webhooks.domain.signing import signature_header
from services.webhooks.settings import WebhooksSettings
from shared.clock import Clock
from shared.context import correlation_id_var
from shared.contracts.webhooks import DisableCause, WebhookSubscriptionDisabled

log = logging.getLogger(__name__)

PURGE_EVERY_S = 600.0


@dataclass(frozen=True)
class Tried:
    """One attempt as made: where, with which headers, when, and what came back."""

    url: str
    headers: dict[str, str]
    started_at: datetime
    outcome: HttpOutcome


@dataclass
class PassOutcome:
    """What one pass did: claimed deliveries, and their new statuses."""

    claimed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


class WebhookSender:
    """Sends due deliveries, one pass at a time (`one_pass` is the loop's pass)."""

    def __init__(
        self,
        *,
        uow_factory: Callable[[], WebhooksUnitOfWork],
        settings: WebhooksSettings,
        clock: Clock,
        client: WebhookClient,
        addresses: AddressCheck,
        box: SecretBox,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._uow = uow_factory
        self._settings = settings
        self._clock = clock
        self._client = client
        self._addresses = addresses
        self._box = box
        self._schedule = RetrySchedule(
            delays_s=settings.webhook_retry_delays_s,
            jitter=settings.webhook_retry_jitter,
            retry_after_max_s=settings.webhook_retry_after_max_s,
            rand=rand,
        )
        self._purged_at: float | None = None
        self.attempted = 0  # attempts this sender made (a replica's share, for the record)

    async def one_pass(self) -> bool:
        """One pass; True (go on at once) after a full batch."""
        outcome = await self.send_due()
        await self._purge_now_and_then()
        return outcome.claimed >= self._settings.webhook_batch_size

    async def send_due(self) -> PassOutcome:
        """Claim one batch of due deliveries, attempt them, record each outcome."""
        s = self._settings
        token = uuid.uuid4()
        now = self._clock.now()
        async with self._uow() as uow:
            deliveries = await uow.deliveries.claim_due(
                now=now,
                lease_until=now + timedelta(seconds=s.webhook_claim_ttl_s),
                token=token,
                limit=s.webhook_batch_size,
            )
            subscriptions = await uow.subscriptions.get_many(
                ids={d.subscription_id for d in deliveries}
            )
            await uow.commit()
        result = PassOutcome(claimed=len(deliveries))
        # Start no attempt that might outlast the lease: past it another sender may claim it.
        stop_at = time.monotonic() + s.webhook_claim_ttl_s - s.webhook_timeout_s - 1.0
        gate = asyncio.Semaphore(s.webhook_concurrency)

        async def one(delivery: Delivery) -> None:
            async with gate:
                subscription = subscriptions.get(delivery.subscription_id)
                if subscription is None:  # deleted since: its deliveries went with it
                    return
                if time.monotonic() > stop_at:
                    await self._give_back(delivery, token)
                    result.count(DeliveryStatus.PENDING)
                    return
                context = correlation_id_var.set(delivery.correlation_id)
                try:
                    tried = await self._attempt(delivery, subscription)
                    status = await self._record(delivery, subscription, token, tried)
                finally:
                    correlation_id_var.reset(context)
                if status is not None:
                    result.count(status)

        await asyncio.gather(*(one(d) for d in deliveries))
        return result

    def _secrets(self, subscription: Subscription, now: datetime) -> list[str]:
        """The secrets that sign now: the current one, and the previous within its grace."""
        current = [self._box.open(subscription.secret_ciphertext)]
        previous = subscription.previous_secret_ciphertext
        until = subscription.previous_secret_until
        if previous is not None and until is not None and until > now:
            current.append(self._box.open(previous))
        return current

    async def _attempt(self, delivery: Delivery, subscription: Subscription) -> Tried:
        """Check the URL again, sign, POST; never raises for the endpoint's faults."""
        now = self._clock.now()
        timestamp = int(now.timestamp())
        body = delivery.body.encode()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": str(delivery.event_id),
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(
                self._secrets(subscription, now),
                msg_id=str(delivery.event_id),
                timestamp=timestamp,
                body=body,
            ),
        }
        try:
            target, addresses = await self._addresses.check(subscription.url)
        except AddressRefused as exc:
            refused = HttpOutcome(None, 0, error=f"not sent: {exc}")
            return Tried(subscription.url, headers, now, refused)
        self.attempted += 1
        outcome = await self._client.post(target, addresses[0], headers=headers, body=body)
        return Tried(subscription.url, headers, now, outcome)

    def _next_step(
        self, delivery: Delivery, subscription: Subscription, tried: Tried, now: datetime
    ) -> tuple[DeliveryStatus, datetime | None, str, tuple[DisableCause, str] | None]:
        """(new status, next attempt, log outcome, (cause, reason) to disable or None)."""
        attempts = delivery.attempts + 1
        code = tried.outcome.status_code
        verdict = verdict_of(code)
        if verdict is Verdict.SUCCEEDED:
            return DeliveryStatus.SUCCEEDED, None, "succeeded", None
        if verdict is Verdict.GONE:
            return DeliveryStatus.FAILED, None, "gone", ("gone", "the endpoint answered 410 Gone")
        retry_after = (
            parse_retry_after(tried.outcome.retry_after, now=now)
            if honours_retry_after(code)
            else None
        )
        delay = self._schedule.delay_after(attempts, retry_after_s=retry_after)
        if delay is None:
            reason = f"all {attempts} attempts of event {delivery.event_id} failed"
            return DeliveryStatus.FAILED, None, "failed", ("attempts_exhausted", reason)
        if failing_too_long(
            subscription.failing_since, now=now, disable_after=self._settings.disable_after
        ):
            reason = (
                f"no success since {subscription.failing_since:%Y-%m-%d %H:%M} UTC "
                f"({self._settings.webhook_disable_after_days:g} days)"
            )
            return DeliveryStatus.FAILED, None, "failed", ("failing_too_long", reason)
        return DeliveryStatus.PENDING, now + timedelta(seconds=delay), "retry", None

    async def _record(
        self, delivery: Delivery, subscription: Subscription, token: uuid.UUID, tried: Tried
    ) -> DeliveryStatus | None:
        """Write the attempt's outcome (fenced by the claim); None when the claim was lost."""
        now = self._clock.now()
        status, next_at, outcome, disable = self._next_step(delivery, subscription, tried, now)
        o = tried.outcome
        async with self._uow() as uow:
            finished = await uow.deliveries.finish(
                outcome=Finish(
                    delivery_id=delivery.id,
                    token=token,
                    status=status,
                    attempts=delivery.attempts + 1,
                    now=now,
                    next_attempt_at=next_at,
                    last_status_code=o.status_code,
                    last_error=o.error,
                )
            )
            if not finished:
                log.warning(
                    "webhook claim was taken over while sending; its new holder decides",
                    extra={"delivery_id": str(delivery.id)},
                )
                return None
            await uow.deliveries.log_attempt(
                attempt=Attempt(
                    delivery_id=delivery.id,
                    subscription_id=delivery.subscription_id,
                    number=delivery.attempts + 1,
                    url=tried.url,
                    request_headers=json.dumps(tried.headers),
                    status_code=o.status_code,
                    duration_ms=o.duration_ms,
                    response_excerpt=o.excerpt,
                    error=o.error,
                    outcome=outcome,
                    started_at=tried.started_at,
                )
            )
            current = await uow.subscriptions.get(subscription_id=delivery.subscription_id)
            if current is not None:
                if status is DeliveryStatus.SUCCEEDED:
                    if current.failing_since is not None:
                        current.failing_since = None
                elif current.failing_since is None:
                    current.failing_since = tried.started_at
                if disable is not None and current.status != SubscriptionStatus.DISABLED:
                    await self._disable(uow, current, *disable, now=now)
            await uow.commit()
        _log_attempt(delivery, status, o)
        return status

    async def _disable(
        self,
        uow: WebhooksUnitOfWork,
        subscription: Subscription,
        cause: DisableCause,
        reason: str,
        *,
        now: datetime,
    ) -> None:
        subscription.status = SubscriptionStatus.DISABLED
        subscription.status_reason = reason
        subscription.updated_at = now
        cancelled = await uow.deliveries.cancel_pending(
            subscription_id=subscription.id, reason=f"subscription disabled: {reason}", now=now
        )
        uow.emit(
            WebhookSubscriptionDisabled(
                subscription_id=subscription.id,
                business_id=subscription.business_id,
                url=subscription.url,
                cause=cause,
                reason=reason,
                disabled_at=now,
            )
        )
        log.warning(
            "webhook subscription disabled",
            extra={
                "subscription_id": str(subscription.id),
                "business_id": subscription.business_id,
                "cause": cause,
                "reason": reason,
                "cancelled": cancelled,
            },
        )

    async def _give_back(self, delivery: Delivery, token: uuid.UUID) -> None:
        """Return an untried delivery to `pending`, due now, its attempts unchanged."""
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.deliveries.finish(
                outcome=Finish(
                    delivery_id=delivery.id,
                    token=token,
                    status=DeliveryStatus.PENDING,
                    attempts=delivery.attempts,
                    now=now,
                    next_attempt_at=now,
                    last_status_code=delivery.last_status_code,
                    last_error=delivery.last_error,
                )
            )
            await uow.commit()

    async def _purge_now_and_then(self) -> None:
        """Drop the delivery log past its retention, at most every ten minutes."""
        started = time.monotonic()
        if self._purged_at is not None and started - self._purged_at < PURGE_EVERY_S:
            return
        self._purged_at = started
        before = self._clock.now() - timedelta(days=self._settings.webhook_log_retention_days)
        async with self._uow() as uow:
            purged = await uow.deliveries.purge_log(before=before)
            await uow.commit()
        if purged:
            log.info("webhook delivery log purged", extra={"attempts": purged})


def _log_attempt(delivery: Delivery, status: DeliveryStatus, outcome: HttpOutcome) -> None:
    extra = {
        "delivery_id": str(delivery.id),
        "event_id": str(delivery.event_id),
        "status": status.value,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }
    if status is DeliveryStatus.SUCCEEDED:
        log.info("webhook delivered", extra=extra)
    else:
        log.warning("webhook not delivered", extra=extra)
