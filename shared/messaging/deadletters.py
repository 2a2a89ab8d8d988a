"""Inspect and replay a consumer's dead-letter queue (what staff do after a fix).

Reading holds the messages unacknowledged and closes the channel at the end, so listing
changes nothing. Replaying publishes a clean copy (confirmed) to the work queue, then acks
the dead letter; the consumer's inbox still makes a replayed, already applied event a no-op.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from shared.messaging.amqp import copy_message
from shared.messaging.inbox import REASON_HEADER, RETRY_COUNT_HEADER
from shared.messaging.topology import QueueNames

# Headers our consumer adds on the way to the dead-letter queue; a replay drops them.
_FAILURE_HEADERS = (
    REASON_HEADER,
    RETRY_COUNT_HEADER,
    "x-exception",
    "x-traceback",
    "x-failed-at",
    "x-consumer",
    "x-original-routing-key",
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
)


@dataclass(frozen=True)
class DeadLetter:
    """What staff need to decide about one dead-lettered message."""

    message_id: str | None
    event_type: str | None
    correlation_id: str | None
    reason: str
    exception: str | None
    failed_at: str | None
    retries: int
    body: str

    @classmethod
    def from_message(cls, message: AbstractIncomingMessage) -> DeadLetter:
        headers = message.headers or {}
        retries = headers.get(RETRY_COUNT_HEADER, 0)
        return cls(
            message_id=message.message_id,
            event_type=message.type,
            correlation_id=message.correlation_id,
            reason=_text(headers.get(REASON_HEADER)) or _broker_reason(headers),
            exception=_text(headers.get("x-exception")),
            failed_at=_text(headers.get("x-failed-at")),
            retries=retries if isinstance(retries, int) else 0,
            body=message.body.decode("utf-8", errors="replace"),
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _broker_reason(headers: dict[str, Any]) -> str:
    # Dead-lettered by the broker itself (delivery limit reached), not by our consumer.
    reason = _text(headers.get("x-first-death-reason"))
    return f"dead-lettered by the broker: {reason}" if reason else "no reason recorded"


async def read_dead_letters(
    connection: AbstractConnection, names: QueueNames, *, limit: int = 100
) -> list[DeadLetter]:
    """Up to `limit` dead letters, oldest first; the queue is left as it was."""
    channel = await connection.channel()
    try:
        queue = await channel.declare_queue(names.dead_letter, passive=True)
        letters: list[DeadLetter] = []
        while len(letters) < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            letters.append(DeadLetter.from_message(message))
        return letters
    finally:
        await channel.close()  # unacknowledged messages go back where they were


async def replay_dead_letters(
    connection: AbstractConnection,
    names: QueueNames,
    *,
    event_ids: set[str] | None = None,
    limit: int = 10_000,
) -> list[str]:
    """Send dead letters (all, or those whose message id is in `event_ids`) back to the work
    queue; return the replayed message ids."""
    channel = await connection.channel(publisher_confirms=True)
    replayed: list[str] = []
    try:
        queue = await channel.declare_queue(names.dead_letter, passive=True)
        for _ in range(limit):
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            if event_ids is not None and message.message_id not in event_ids:
                continue
            headers = {
                k: v for k, v in (message.headers or {}).items() if k not in _FAILURE_HEADERS
            }
            await channel.default_exchange.publish(
                copy_message(message, headers=headers), routing_key=names.work, mandatory=True
            )
            await message.ack()
            replayed.append(message.message_id or str(uuid.uuid4()))
        return replayed
    finally:
        await channel.close()
