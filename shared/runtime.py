"""A service's composition root: engine, sessions, broker, outbox relay and consumers.

Built only inside a service's lifespan (or a test's fixture), never at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import shared.contracts  # noqa: F401  (registers every event model for parse_payload)
from shared.db import create_engine, ping, session_factory
from shared.messaging.broker import Broker
from shared.messaging.inbox import EventConsumer, Handler
from shared.messaging.outbox import OutboxRelay
from shared.messaging.tables import MessagingTables
from shared.messaging.topology import queue_names
from shared.migrations import upgrade_to_head
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerSpec:
    """A work queue of this service and the handler of each event type it takes."""

    name: str
    handlers: Mapping[str, Handler]


@dataclass
class Runtime:
    """Everything a running service holds; `start()` and `stop()` bracket its life."""

    settings: ServiceSettings
    metadata: MetaData
    tables: MessagingTables
    migrations: Path
    consumer_specs: list[ConsumerSpec] = field(default_factory=list)
    engine: AsyncEngine = field(init=False)
    relay_engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    broker: Broker = field(init=False)
    relay: OutboxRelay = field(init=False)
    consumers: list[EventConsumer] = field(init=False, default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        self.engine = create_engine(s.database_url, pool_size=s.db_pool_size)
        self.sessions = session_factory(self.engine)
        self.broker = Broker(
            s.amqp_url,
            exchange_name=s.exchange,
            connection_name=s.service_name,
            reconnect_interval_s=s.broker_reconnect_interval_s,
        )
        # The relay has its own small pool on PostgreSQL, so that consumers holding every
        # connection of the main pool can never starve it (SQLite serialises writes anyway).
        self.relay_engine = (
            self.engine if s.is_sqlite else create_engine(s.database_url, pool_size=2)
        )
        self.relay = OutboxRelay(
            engine=self.relay_engine,
            tables=self.tables,
            broker=self.broker,
            service=s.service_name,
            batch_size=s.outbox_batch_size,
            poll_interval_s=s.outbox_poll_interval_s,
            claim_ttl_s=s.outbox_claim_ttl_s,
        )
        for spec in self.consumer_specs:
            consumer = EventConsumer(
                name=spec.name,
                service=s.service_name,
                names=queue_names(s.queue_prefix, s.service_name, spec.name),
                exchange_name=s.exchange,
                handlers=spec.handlers,
                uow_factory=self.uow,
                tables=self.tables,
                prefetch=s.prefetch,
                max_retries=s.max_retries,
                retry_delay_ms=s.retry_delay_ms,
                queue_expires_ms=s.queue_expires_ms,
                batch_max=s.consumer_batch_max,
                batch_linger_ms=s.consumer_batch_linger_ms,
                retry_strategy=s.retry_dead_letter_strategy,
            )
            self.consumers.append(consumer)
            self.broker.on_connected(consumer.start)

    def uow(self) -> UnitOfWork:
        """A new unit of work whose commit wakes the relay."""
        return UnitOfWork(
            self.sessions,
            tables=self.tables,
            producer=self.settings.service_name,
            on_commit=self.relay.notify,
        )

    async def start(self) -> None:
        """Migrate if asked, then connect to the broker and relay in the background."""
        if self.settings.migrate_on_startup:
            await upgrade_to_head(self.engine, self.migrations)
        self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))

    def spawn(self, coro_task: asyncio.Task[None]) -> None:
        """Keep a service-specific background task so `stop()` cancels it."""
        self._tasks.append(coro_task)

    async def stop(self) -> None:
        """Cancel background work, close the broker and the engine."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.broker.close()
        await self.engine.dispose()
        if self.relay_engine is not self.engine:
            await self.relay_engine.dispose()

    async def readiness(self) -> dict[str, str]:
        """`ok` or the reason, for the database and the broker."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(self.engine), 5)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["broker"] = "ok" if self.broker.is_connected else "unreachable"
        return checks
