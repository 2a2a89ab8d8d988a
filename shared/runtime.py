"""A service's composition root: engine, sessions, broker, outbox relay and consumers.

Built only inside a service's lifespan (or a test's fixture), never at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

import shared.contracts  # noqa: F401  (registers every event model for parse_payload)
from shared.clock import Clock, SystemClock
from shared.db import create_engine, ping, session_factory
from shared.errors import MalformedMessage
from shared.events import Envelope, EventPayload
from shared.loops import Doorbell, Pass, run_loop
from shared.messaging.broker import Broker, BrokerPort
from shared.messaging.inbox import EventConsumer, Handler
from shared.messaging.memory import InMemoryBroker
from shared.messaging.outbox import OutboxRelay, RelayHealth
from shared.messaging.tables import MessagingTables
from shared.messaging.topology import queue_names
from shared.metrics import BROKER_CONNECTED
from shared.migrations import upgrade_to_head
from shared.settings import ServiceSettings
from shared.uow import U

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 10.0
"""How long `stop()` waits for the cancelled background tasks before it goes on."""


P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class Route(Generic[U]):
    """One event type of a work queue and the use case it calls."""

    event_type: str
    handler: Handler


def on(model: type[P], use_case: Callable[[U, P, Envelope], Awaitable[object]]) -> Route[U]:
    """Route `model`'s events to `use_case`, which gets the payload as that model."""

    async def handle(uow: Any, payload: EventPayload, envelope: Envelope) -> None:
        if not isinstance(payload, model):  # the registry parsed another model: a bad message
            raise MalformedMessage(f"expected {model.__name__}, got {type(payload).__name__}")
        await use_case(uow, payload, envelope)

    return Route(model.event_type, handle)


@dataclass(frozen=True)
class ConsumerSpec(Generic[U]):
    """A work queue of this service and the handler of each event type it takes."""

    name: str
    handlers: Mapping[str, Handler]

    @classmethod
    def of(cls, name: str, routes: Iterable[Route[U]]) -> ConsumerSpec[U]:
        """A work queue from its routes; an event type routed twice is a wiring error."""
        handlers: dict[str, Handler] = {}
        for route in routes:
            if route.event_type in handlers:
                raise ValueError(f"{name}: {route.event_type} is routed twice")
            handlers[route.event_type] = route.handler
        return cls(name=name, handlers=handlers)


@dataclass
class Runtime(Generic[U]):
    """Everything a running service holds; `start()` and `stop()` bracket its life.

    `uow_class` is the service's unit of work (with its repositories); `clock` is the one
    clock every use case, consumer and loop of the service reads.
    """

    settings: ServiceSettings
    metadata: MetaData
    tables: MessagingTables
    migrations: Path
    uow_class: type[U]
    clock: Clock = field(default_factory=SystemClock)
    consumer_specs: Iterable[ConsumerSpec[U]] = field(default_factory=list)
    broker: BrokerPort = field(default=None)  # type: ignore[assignment]  # built below
    engine: AsyncEngine = field(init=False)
    relay_engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    relay: OutboxRelay = field(init=False)
    consumers: list[EventConsumer] = field(init=False, default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        self.engine = create_engine(s.database_url, pool_size=s.db_pool_size)
        self.sessions = session_factory(self.engine)
        if self.broker is None and s.uses_memory_broker:  # the fast test tier's stand-in
            self.broker = InMemoryBroker()
        elif self.broker is None:
            self.broker = Broker(
                s.amqp_url,
                exchange_name=s.exchange,
                connection_name=s.service_name,
                reconnect_interval_s=s.broker_reconnect_interval_s,
            )
        broker = self.broker
        BROKER_CONNECTED.labels(s.service_name).set_function(lambda: float(broker.is_connected))
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
            clock=self.clock,
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
                clock=self.clock,
            )
            self.consumers.append(consumer)
            self.broker.on_connected(consumer.start)

    def uow(self) -> U:
        """A new unit of work whose commit wakes the relay."""
        return self.uow_class(
            self.sessions,
            tables=self.tables,
            producer=self.settings.service_name,
            clock=self.clock,
            on_commit=self.relay.notify,
        )

    async def start(self) -> None:
        """Migrate if asked, then connect to the broker and relay in the background."""
        if self.settings.migrate_on_startup:
            await upgrade_to_head(self.engine, self.migrations)
        self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))

    def run_loop(
        self, name: str, one_pass: Pass, *, interval_s: float, doorbell: Doorbell | None = None
    ) -> None:
        """Start a background loop of the service (`shared.loops`); `stop()` cancels it."""
        loop = run_loop(name, one_pass, interval_s=interval_s, doorbell=doorbell)
        self._tasks.append(asyncio.create_task(loop, name=name))

    async def stop(self) -> None:
        """Cancel background work, close the broker and the engine."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # A task that does not stop within the bound must not hold the process: say which.
            _, stuck = await asyncio.wait(self._tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.error("background task did not stop when cancelled: %s", task.get_name())
        for task in self._tasks:
            if task.done() and not task.cancelled():
                with contextlib.suppress(Exception):
                    task.result()
        self._tasks.clear()
        await self.broker.close()
        await self.engine.dispose()
        if self.relay_engine is not self.engine:
            await self.relay_engine.dispose()

    async def readiness(self) -> dict[str, str]:
        """`ok` or the reason, for what serving requests needs: the database.

        Not the broker: while it is down the API goes on taking requests (the outbox holds
        their events), so a replica must stay in its Service. Its state is in `health()`.
        """
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(self.engine), 5)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks

    def broker_state(self) -> str:
        """`connected` or `unreachable` (also the `broker_connected` gauge)."""
        return "connected" if self.broker.is_connected else "unreachable"

    def relay_health(self) -> RelayHealth:
        """The outbox relay's state: running, waiting for the broker, failing or stopped."""
        return self.relay.health()
