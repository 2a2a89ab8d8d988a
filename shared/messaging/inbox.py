"""Idempotent consumer: the processed event id is recorded in the same transaction as the effect.

For each message: read the envelope, find the handler, claim the event in the inbox
(`INSERT … ON CONFLICT DO NOTHING`), apply the handler, commit, then ack. A redelivered or
re-published event finds its id in the inbox and is acked without a second effect, whatever
the `redelivered` flag says. A failing handler's message goes to the retry queue (with a delay)
up to `max_retries` times, then to the dead-letter queue with the reason; malformed and unknown
messages go straight to the dead-letter queue. Nothing here crashes the consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aio_pika.abc import (
    AbstractChannel,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.clock import Clock, SystemClock
from shared.context import correlation_id_var, event_id_var
from shared.errors import MalformedMessage
from shared.events import Envelope, EventPayload, UnknownEventType, parse_payload
from shared.messaging.amqp import copy_message, from_amqp_message
from shared.messaging.tables import MessagingTables
from shared.messaging.topology import QueueNames, declare_consumer_queues, declare_exchange
from shared.metrics import (
    CONSUMER_BATCH_EVENTS,
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_DUPLICATE,
    EVENTS_RETRIED,
)
from shared.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, EventPayload, Envelope], Awaitable[None]]

RETRY_COUNT_HEADER = "x-retry-count"
REASON_HEADER = "x-dead-letter-reason"


async def claim_in_inbox(
    uow: UnitOfWork, *, tables: MessagingTables, consumer: str, envelope: Envelope
) -> bool:
    """Record the event as processed by `consumer`; False when it already was."""
    session = uow.session
    # Core on the session's connection: the same transaction, without the ORM's overhead.
    connection = await session.connection()
    statement = _claim_statement(connection.dialect.name, tables.inbox)
    result = await connection.execute(
        statement,
        {
            "consumer": consumer,
            "event_id": envelope.event_id,
            "event_type": envelope.event_type,
            "processed_at": uow.clock.now(),
        },
    )
    return result.first() is not None


async def claim_many_in_inbox(
    uow: UnitOfWork, *, tables: MessagingTables, consumer: str, envelopes: list[Envelope]
) -> set[uuid.UUID]:
    """Record several events in one statement; returns the ids that were new."""
    connection = await uow.session.connection()
    statement = _claim_statement(connection.dialect.name, tables.inbox)
    now = uow.clock.now()
    result = await connection.execute(
        statement,
        [
            {
                "consumer": consumer,
                "event_id": envelope.event_id,
                "event_type": envelope.event_type,
                "processed_at": now,
            }
            for envelope in envelopes
        ],
    )
    return {row[0] for row in result.all()}


@functools.cache
def _claim_statement(dialect: str, inbox: Table) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)


class EventConsumer:
    """Consumes one work queue and dispatches each event type to its handler."""

    def __init__(
        self,
        *,
        name: str,
        service: str,
        names: QueueNames,
        exchange_name: str,
        handlers: Mapping[str, Handler],
        uow_factory: UnitOfWorkFactory,
        tables: MessagingTables,
        prefetch: int = 64,
        max_retries: int = 3,
        retry_delay_ms: int = 5_000,
        queue_expires_ms: int | None = None,
        batch_max: int = 50,
        batch_linger_ms: float = 5.0,
        retry_strategy: str = "at-least-once",
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self._clock = clock or SystemClock()
        self._service = service
        self.names = names
        self._exchange_name = exchange_name
        self._handlers = dict(handlers)
        self._uow_factory = uow_factory
        self._tables = tables
        self._prefetch = prefetch
        self._max_retries = max_retries
        self._retry_delay_ms = retry_delay_ms
        self._queue_expires_ms = queue_expires_ms
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._batch_max = batch_max
        self._batch_linger_s = batch_linger_ms / 1000
        self._retry_strategy = retry_strategy
        self._waiting: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    @property
    def inbox_name(self) -> str:
        return f"{self._service}.{self.name}"

    async def start(self, connection: AbstractRobustConnection) -> None:
        """Declare the queues and start consuming (restored by the robust connection)."""
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self._prefetch)
        exchange = await declare_exchange(channel, self._exchange_name)
        self._queue = await declare_consumer_queues(
            channel,
            exchange=exchange,
            names=self.names,
            routing_keys=sorted(self._handlers),
            retry_delay_ms=self._retry_delay_ms,
            expires_ms=self._queue_expires_ms,
            retry_strategy=self._retry_strategy,
        )
        self._channel = channel
        await self._queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        correlation_token = correlation_id_var.set(message.correlation_id)
        event_token = event_id_var.set(message.message_id)
        try:
            await self._process(message)
        finally:
            correlation_id_var.reset(correlation_token)
            event_id_var.reset(event_token)

    async def _process(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = from_amqp_message(message)
            handler = self._handlers.get(envelope.event_type)
            if handler is None:
                raise UnknownEventType(f"{self.name} has no handler for {envelope.event_type!r}")
            payload = parse_payload(envelope)
        except (MalformedMessage, UnknownEventType, ValidationError) as exc:
            await self._dead_letter(message, reason=_reason(exc), error=exc)
            return
        try:
            applied = await self._apply_batched(handler, envelope, payload)
        except Exception as exc:
            await self._retry_or_dead_letter(message, envelope, exc)
            return
        if applied:
            EVENTS_CONSUMED.labels(self._service, self.name, envelope.event_type).inc()
            log.info("event applied", extra={"event_type": envelope.event_type})
        else:
            EVENTS_DUPLICATE.labels(self._service, self.name).inc()
            log.info("event already applied, skipped", extra={"event_type": envelope.event_type})
        await message.ack()

    async def _apply_batched(
        self, handler: Handler, envelope: Envelope, payload: EventPayload
    ) -> bool:
        """Apply the event, sharing one transaction with the deliveries waiting beside it.

        Deliveries that arrive while a transaction runs wait and go together in the next one
        (one commit for many events; under light load every batch is a single event). When
        several are already waiting, the batch lingers `batch_linger_ms` for more to join. If a
        handler fails, that event alone gets the failure (it is retried or dead-lettered) and
        the others of its batch go again together; if the commit itself fails, each event of
        the batch is applied again on its own.
        """
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Pending(handler, envelope, payload, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name=f"inbox-{self.name}")
        return await done

    async def _flush(self) -> None:
        while self._waiting:
            await asyncio.sleep(0)  # let deliveries of this same moment join
            if self._batch_linger_s and 1 < len(self._waiting) < self._batch_max:
                # Under load: the prefetch window refills while we wait, so one transaction
                # takes many events (about 6 → 35 a transaction in `bench.bus`). Alone: no wait.
                await asyncio.sleep(self._batch_linger_s)
            batch = self._waiting[: self._batch_max]
            del self._waiting[: self._batch_max]
            CONSUMER_BATCH_EVENTS.labels(self._service, self.name).observe(len(batch))
            if len(batch) == 1:
                await self._settle_alone(batch[0])
                continue
            try:
                results = await self._apply_many(batch)
            except _HandlerFailed as failed:
                # That event alone fails; the others go again, together, in the next round.
                batch[failed.index].done.set_exception(failed.error)
                self._waiting[:0] = batch[: failed.index] + batch[failed.index + 1 :]
                continue
            except Exception as exc:  # the commit itself: apply each on its own
                log.info("batch of %d failed, applying one by one: %r", len(batch), exc)
                for pending in batch:
                    await self._settle_alone(pending)
                continue
            for pending, applied in zip(batch, results, strict=True):
                pending.done.set_result(applied)

    async def _settle_alone(self, pending: _Pending) -> None:
        try:
            with _event_context(pending.envelope):
                applied = await self._apply(pending.handler, pending.envelope, pending.payload)
        except Exception as exc:
            pending.done.set_exception(exc)
        else:
            pending.done.set_result(applied)

    async def _apply_many(self, batch: list[_Pending]) -> list[bool]:
        async with self._uow_factory() as uow:
            new = await claim_many_in_inbox(
                uow,
                tables=self._tables,
                consumer=self.inbox_name,
                envelopes=[p.envelope for p in batch],
            )
            results: list[bool] = []
            for index, pending in enumerate(batch):
                event_id = pending.envelope.event_id
                if event_id not in new:
                    results.append(False)
                    continue
                new.discard(event_id)  # the same event twice in one batch: once
                try:
                    with _event_context(pending.envelope):
                        await pending.handler(uow, pending.payload, pending.envelope)
                except Exception as exc:
                    raise _HandlerFailed(index, exc) from exc
                results.append(True)
            await uow.commit()
        return results

    async def _apply(self, handler: Handler, envelope: Envelope, payload: EventPayload) -> bool:
        async with self._uow_factory() as uow:
            if not await claim_in_inbox(
                uow, tables=self._tables, consumer=self.inbox_name, envelope=envelope
            ):
                return False
            await handler(uow, payload, envelope)
            await uow.commit()
        return True

    async def _retry_or_dead_letter(
        self, message: AbstractIncomingMessage, envelope: Envelope, exc: Exception
    ) -> None:
        raw_attempts = (message.headers or {}).get(RETRY_COUNT_HEADER, 0)
        attempts = raw_attempts if isinstance(raw_attempts, int) else 0
        if attempts >= self._max_retries:
            await self._dead_letter(
                message, reason=f"handler failed {attempts + 1} times: {exc!r}", error=exc
            )
            return
        log.warning(
            "handler failed, retrying after delay",
            extra={"event_type": envelope.event_type, "attempt": attempts + 1, "error": repr(exc)},
        )
        await self._republish(message, self.names.retry, {RETRY_COUNT_HEADER: attempts + 1})
        EVENTS_RETRIED.labels(self._service, self.name, envelope.event_type).inc()
        await message.ack()

    async def _dead_letter(
        self, message: AbstractIncomingMessage, *, reason: str, error: BaseException
    ) -> None:
        log.error(
            "message dead-lettered",
            extra={"reason": reason, "queue": self.names.dead_letter},
        )
        await self._republish(
            message,
            self.names.dead_letter,
            {
                REASON_HEADER: reason[:2000],
                "x-exception": type(error).__name__,
                "x-traceback": "".join(traceback.format_exception(error))[-4000:],
                "x-failed-at": self._clock.now().isoformat(),
                "x-consumer": self.inbox_name,
                "x-original-routing-key": message.routing_key or "",
            },
        )
        EVENTS_DEAD_LETTERED.labels(self._service, self.name, _reason_code(error)).inc()
        await message.ack()

    async def _republish(
        self, message: AbstractIncomingMessage, queue: str, extra_headers: dict[str, Any]
    ) -> None:
        """Copy the message to one of our queues (confirmed) before acking the original."""
        if self._channel is None:
            raise RuntimeError("consumer not started")
        headers = dict(message.headers or {})
        headers.pop("x-death", None)
        headers.update(extra_headers)
        await self._channel.default_exchange.publish(
            copy_message(message, headers=headers), routing_key=queue, mandatory=True
        )


class _HandlerFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(repr(error))
        self.index = index
        self.error = error


@dataclass(frozen=True)
class _Pending:
    handler: Handler
    envelope: Envelope
    payload: EventPayload
    done: asyncio.Future[bool]


@contextlib.contextmanager
def _event_context(envelope: Envelope) -> Iterator[None]:
    """Logs and emitted events of a handler carry its own event's ids, also in a batch."""
    correlation_token = correlation_id_var.set(envelope.correlation_id)
    event_token = event_id_var.set(str(envelope.event_id))
    try:
        yield
    finally:
        correlation_id_var.reset(correlation_token)
        event_id_var.reset(event_token)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return f"payload does not match its event model: {exc.error_count()} error(s): {exc}"
    return str(exc)


def _reason_code(exc: BaseException) -> str:
    if isinstance(exc, MalformedMessage):
        return "malformed"
    if isinstance(exc, UnknownEventType):
        return "unknown_event"
    if isinstance(exc, ValidationError):
        return "invalid_payload"
    return "handler_failed"
