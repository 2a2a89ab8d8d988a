"""Transactional outbox: events are written with the state change, a relay publishes them.

The relay claims due rows with a lease (`available_at` moved forward), using
`FOR UPDATE SKIP LOCKED` on PostgreSQL so several replicas never claim the same row, publishes
them with publisher confirms and `mandatory`, and marks the confirmed ones sent. A row whose
publish failed (broker down, unroutable, nack) gets a back-off and stays pending. A relay that
dies after publishing but before marking leaves the row to be published again once its lease
ends: delivery is at least once, and consumers deduplicate on the event id.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aio_pika
from sqlalchemy import Row, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import Clock, SystemClock
from shared.db import single_statement
from shared.events import Envelope, expects_consumers
from shared.loops import Doorbell, run_loop
from shared.messaging.amqp import to_amqp_message
from shared.messaging.broker import BrokerPort
from shared.messaging.tables import MessagingTables
from shared.metrics import (
    EVENTS_PUBLISH_FAILED,
    EVENTS_PUBLISHED,
    RELAY_LAST_SUCCESS,
    RELAY_RUNNING,
)

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0


async def add_to_outbox(
    session: AsyncSession,
    *,
    tables: MessagingTables,
    envelopes: Sequence[Envelope],
    now: datetime,
) -> None:
    """Insert events in the session's transaction; they go out only if it commits."""
    if not envelopes:
        return
    rows = [
        {
            "event_id": envelope.event_id,
            "event_type": envelope.event_type,
            "correlation_id": envelope.correlation_id,
            "body": envelope.model_dump_json(),
            "created_at": now,
            "available_at": now,
            "attempts": 0,
        }
        for envelope in envelopes
    ]
    await session.exec(insert(tables.outbox), params=rows)


@dataclass(frozen=True)
class RelayHealth:
    """How the relay is doing, for `/readyz`'s body: it never decides readiness.

    `status`: `ok` (its last pass published all it claimed), `waiting_for_broker`, `failing`
    (its last pass raised or a publish failed: see `last_error`) or `stopped`.
    """

    status: str
    last_success_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class PublishOutcome:
    """What one relay pass did."""

    claimed: int
    sent: int
    failed: int


class OutboxRelay:
    """Publishes pending outbox rows; wake it with `notify()` after a commit."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        tables: MessagingTables,
        broker: BrokerPort,
        service: str,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
        claim_ttl_s: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._engine = engine
        self._outbox = tables.outbox
        self._broker = broker
        self._service = service
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._claim_ttl = timedelta(seconds=claim_ttl_s)
        self._doorbell = Doorbell()
        self._running = False
        self._last_success_at: datetime | None = None
        self._last_error: str | None = None
        RELAY_RUNNING.labels(service).set_function(lambda: float(self._running))

    def health(self) -> RelayHealth:
        """The relay's state now (no I/O)."""
        if not self._running:
            status = "stopped"
        elif not self._broker.is_connected:
            status = "waiting_for_broker"
        elif self._last_error is not None:
            status = "failing"
        else:
            status = "ok"
        return RelayHealth(status, self._last_success_at, self._last_error)

    def notify(self) -> None:
        """A transaction with events has committed: publish without waiting for the poll."""
        self._doorbell.ring()

    async def run(self) -> None:
        """Relay until cancelled; a failing pass is logged and retried, never fatal."""
        self._running = True
        try:
            await self._broker.wait_ready()

            async def one_pass() -> bool:
                try:
                    outcome = await self.relay_once()
                except Exception as exc:
                    self._last_error = f"{type(exc).__name__}: {exc}"[:500]
                    raise
                return outcome.claimed >= self._batch_size and outcome.failed == 0

            await run_loop(
                "outbox relay",
                one_pass,
                interval_s=self._poll_interval_s,
                doorbell=self._doorbell,
            )
        finally:
            self._running = False

    def _passed(self, failed: int) -> None:
        """Note a pass that reached the broker: a success unless a publish failed."""
        if failed:
            self._last_error = f"{failed} publish(es) failed; the events stay pending"
            return
        self._last_error = None
        self._last_success_at = self._clock.now()
        RELAY_LAST_SUCCESS.labels(self._service).set(self._last_success_at.timestamp())

    async def relay_once(self) -> PublishOutcome:
        """Claim one batch of due rows, publish them, record the outcome."""
        if not self._broker.is_connected:
            return PublishOutcome(0, 0, 0)
        rows = await self._claim()
        if not rows:
            self._passed(0)
            return PublishOutcome(0, 0, 0)
        results = await asyncio.gather(
            *(self._publish(row) for row in rows), return_exceptions=True
        )
        sent: list[int] = []
        failed: list[tuple[Row[Any], BaseException]] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed.append((row, result))
            else:
                sent.append(row.id)
                EVENTS_PUBLISHED.labels(self._service, row.event_type).inc()
        await self._record(sent, failed)
        self._passed(len(failed))
        return PublishOutcome(claimed=len(rows), sent=len(sent), failed=len(failed))

    async def _claim(self) -> list[Row[Any]]:
        return await claim_due(
            self._engine,
            self._outbox,
            limit=self._batch_size,
            lease=self._claim_ttl,
            now=self._clock.now(),
        )

    async def _publish(self, row: Row[Any]) -> None:
        envelope = Envelope.model_validate_json(row.body)
        message = to_amqp_message(envelope, body=row.body.encode())
        mandatory = expects_consumers(envelope.event_type, envelope.version)
        await self._broker.publish(message, routing_key=row.event_type, mandatory=mandatory)

    async def _record(self, sent: list[int], failed: list[tuple[Row[Any], BaseException]]) -> None:
        failures = []
        for row, error in failed:
            reason = _failure_reason(error)
            EVENTS_PUBLISH_FAILED.labels(self._service, reason).inc()
            log.warning(
                "outbox publish failed, event stays pending",
                extra={"event_type": row.event_type, "reason": reason, "error": str(error)},
            )
            failures.append(
                Failure(row_id=row.id, attempts=row.attempts, error=f"{reason}: {error}")
            )
        await record_outcome(
            self._engine, self._outbox, sent=sent, failed=failures, now=self._clock.now()
        )


@dataclass(frozen=True)
class Failure:
    """A publish that did not succeed: the row stays pending with this error."""

    row_id: int
    attempts: int
    error: str


def backoff_seconds(attempts: int) -> float:
    """Seconds before retrying a row that failed `attempts` times: 0.5 s doubling, capped."""
    return float(min(MAX_BACKOFF_S, 0.5 * 2 ** min(attempts, 10)))


async def claim_due(
    engine: AsyncEngine,
    outbox: Table,
    *,
    limit: int,
    lease: timedelta,
    now: datetime,
) -> list[Row[Any]]:
    """Lease up to `limit` due, unsent rows to this caller, oldest first.

    A claimed row is not due again until the lease ends; on PostgreSQL rows locked by another
    replica's claim are skipped rather than waited for.
    """
    due = (
        select(outbox.c.id)
        .where(outbox.c.sent_at.is_(None), outbox.c.available_at <= now)
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(available_at=now + lease)
        .returning(outbox.c.id, outbox.c.event_type, outbox.c.body, outbox.c.attempts)
    )
    # One statement, so on PostgreSQL it runs in autocommit: no BEGIN and COMMIT round trips.
    async with single_statement(engine) as conn:
        rows = list((await conn.execute(claim)).all())
    rows.sort(key=lambda row: row.id)
    return rows


async def record_outcome(
    engine: AsyncEngine,
    outbox: Table,
    *,
    sent: list[int],
    failed: list[Failure],
    now: datetime,
) -> None:
    """Mark confirmed rows sent; give failed ones an attempt, the error and a back-off."""
    mark_sent = update(outbox).where(outbox.c.id.in_(sent)).values(sent_at=now)
    if not failed:  # the usual pass: one statement, committed on its own
        if sent:
            async with single_statement(engine) as conn:
                await conn.execute(mark_sent)
        return
    async with engine.begin() as conn:
        if sent:
            await conn.execute(mark_sent)
        for failure in failed:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == failure.row_id)
                .values(
                    attempts=outbox.c.attempts + 1,
                    last_error=failure.error[:2000],
                    available_at=now + timedelta(seconds=backoff_seconds(failure.attempts)),
                )
            )


def _failure_reason(error: BaseException) -> str:
    if isinstance(error, aio_pika.exceptions.PublishError):
        return "unroutable"
    if isinstance(error, aio_pika.exceptions.DeliveryError):
        return "nacked"
    return "broker_unavailable"


async def pending_event_ids(engine: AsyncEngine, tables: MessagingTables) -> list[uuid.UUID]:
    """Ids of events not yet confirmed by the broker, oldest first (for tests and operators)."""
    outbox = tables.outbox
    async with engine.connect() as conn:
        result = await conn.execute(
            select(outbox.c.event_id).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id)
        )
        return list(result.scalars())
