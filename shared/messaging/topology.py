"""Exchange and queue declarations: one durable topic exchange, quorum queues per consumer.

Each consumer owns three durable quorum queues:
- `<name>`: the work queue, bound to the exchange by event type;
- `<name>.retry`: a failed message waits here for `retry_delay_ms`, then the broker
  dead-letters it back to the work queue (at-least-once dead-lettering);
- `<name>.dlq`: messages that failed for good, with the reason in their headers, for staff.
Declaring is idempotent: the same name with the same arguments is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

# A message redelivered this many times without an ack (a consumer crashing on it, say)
# is dead-lettered by the broker itself, so a poison message cannot loop for ever.
DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class QueueNames:
    """The names of one consumer's work, retry and dead-letter queues."""

    work: str

    @property
    def retry(self) -> str:
        return f"{self.work}.retry"

    @property
    def dead_letter(self) -> str:
        return f"{self.work}.dlq"


def queue_names(prefix: str, service: str, consumer: str) -> QueueNames:
    """Queue names are `<prefix>.<service>.<consumer>`, so test runs can use their own prefix."""
    return QueueNames(work=f"{prefix}.{service}.{consumer}")


async def declare_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    """The one durable topic exchange every event is published to."""
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


def _quorum(expires_ms: int | None, **extra: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"x-queue-type": "quorum", **extra}
    if expires_ms is not None:
        arguments["x-expires"] = expires_ms
    return arguments


async def declare_consumer_queues(
    channel: AbstractChannel,
    *,
    exchange: AbstractExchange,
    names: QueueNames,
    routing_keys: list[str],
    retry_delay_ms: int,
    expires_ms: int | None = None,
    retry_strategy: str = "at-least-once",
) -> AbstractQueue:
    """Declare the work, retry and dead-letter queues and bind the work queue; return it."""
    await channel.declare_queue(names.dead_letter, durable=True, arguments=_quorum(expires_ms))
    await channel.declare_queue(
        names.retry,
        durable=True,
        arguments=_quorum(
            expires_ms,
            **{
                "x-message-ttl": retry_delay_ms,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": names.work,
                "x-dead-letter-strategy": retry_strategy,
                "x-overflow": "reject-publish",
            },
        ),
    )
    work = await channel.declare_queue(
        names.work,
        durable=True,
        arguments=_quorum(
            expires_ms,
            **{
                "x-delivery-limit": DELIVERY_LIMIT,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": names.dead_letter,
            },
        ),
    )
    for key in routing_keys:
        await work.bind(exchange, routing_key=key)
    return work
