"""The three services for the state-machine test: in-process apps on a loop of their own.

Hypothesis runs rules synchronously; the services need a running event loop. So the system
lives on a background thread's loop and every call crosses with `run()`. Each example gets a
fresh system: its own SQLite databases, exchange and queues, and SMTP server, so nothing of
one example can reach the next. The broker, the databases and the SMTP server are real.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, text

from services.notifications.main import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registration.main import create_app as create_registration
from services.registration.settings import RegistrationSettings
from services.scheduling.main import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from shared.events import Envelope
from shared.messaging.amqp import to_amqp_message
from shared.messaging.outbox import pending_event_ids
from shared.runtime import Runtime
from tests.support import AMQP_URL, CapturingHandler, eventually, smtp_server

T = TypeVar("T")
SERVICES = ("registration", "scheduling", "notifications")


class Loop:
    """An event loop on a daemon thread; `run(coro)` waits for its result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@dataclass
class System:
    """The running services of one example, their clients, and what crossed the broker."""

    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    settings: dict[str, Any]
    mail: CapturingHandler
    exchange: str
    prefix: str
    events: list[Envelope] = field(default_factory=list)
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    _connection: aio_pika.abc.AbstractRobustConnection | None = None
    _channel: aio_pika.abc.AbstractChannel | None = None

    def runtime(self, service: str) -> Runtime[Any]:
        runtime: Runtime[Any] = self.apps[service].state.runtime
        return runtime

    async def publish(self, envelope: Envelope) -> None:
        """Put an envelope on the exchange as the outbox relay would (a replay, a duplicate)."""
        assert self._channel is not None
        exchange = await self._channel.get_exchange(self.exchange)
        message = to_amqp_message(envelope, body=envelope.model_dump_json().encode())
        await exchange.publish(message, routing_key=envelope.event_type)

    async def _queue_depths(self) -> int:
        assert self._channel is not None
        total = 0
        for service in SERVICES:
            for consumer in self.runtime(service).consumers:
                for name in (consumer.names.work, consumer.names.retry):
                    queue = await self._channel.declare_queue(name, passive=True)
                    total += queue.declaration_result.message_count or 0
        return total

    async def _busy(self) -> int:
        """Events not yet published, messages not yet consumed, mails not yet sent."""
        busy = await self._queue_depths()
        for service in SERVICES:
            runtime = self.runtime(service)
            busy += len(await pending_event_ids(runtime.engine, runtime.tables))
        async with self.runtime("notifications").engine.connect() as conn:
            unsent = await conn.execute(
                text("SELECT count(*) FROM mails WHERE status IN ('queued', 'sending')")
            )
            busy += int(unsent.scalar_one())
        return busy

    async def _inbox_total(self) -> int:
        total = 0
        for service in SERVICES:
            runtime = self.runtime(service)
            async with runtime.engine.connect() as conn:
                count = await conn.execute(select(func.count()).select_from(runtime.tables.inbox))
                total += int(count.scalar_one())
        return total

    async def settle(self, timeout: float = 60) -> None:
        """Wait until every event is published and applied and every mail sent, and stays so."""
        deadline = asyncio.get_running_loop().time() + timeout
        quiet, last = 0, -1
        while quiet < 3:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the system did not settle in {timeout} s")
            await asyncio.sleep(0.1)
            applied = await self._inbox_total()
            if await self._busy() == 0 and applied == last:
                quiet += 1
            else:
                quiet = 0
            last = applied

    async def start(self, tmp: Path, smtp_port: int) -> None:
        """Start the services and the event catcher; the broker names are this system's own."""
        common: dict[str, Any] = {
            "environment": "test",
            "amqp_url": AMQP_URL,
            "exchange": self.exchange,
            "queue_prefix": self.prefix,
            "queue_expires_ms": 10 * 60 * 1000,
            "retry_delay_ms": 200,
            "max_retries": 3,
            "outbox_poll_interval_s": 0.1,
            "broker_reconnect_interval_s": 0.5,
            "log_json": False,
            "log_level": "WARNING",
            "rate_limit_writes": "100000/minute",
        }
        database = f"sqlite+aiosqlite:///{tmp}/{{}}.db"
        self.settings = {
            "registration": RegistrationSettings(
                **common, database_url=database.format("registration")
            ),
            "scheduling": SchedulingSettings(**common, database_url=database.format("scheduling")),
            "notifications": NotificationsSettings(
                **common,
                database_url=database.format("notifications"),
                smtp_host="127.0.0.1",
                smtp_port=smtp_port,
                staff_mailbox=None,
                mail_poll_interval_s=0.1,
            ),
        }
        factories: dict[str, Callable[[Any], FastAPI]] = {
            "registration": create_registration,
            "scheduling": create_scheduling,
            "notifications": create_notifications,
        }
        self._connection = await aio_pika.connect_robust(AMQP_URL)
        self._stack.push_async_callback(self._connection.close)
        self._channel = await self._connection.channel()
        exchange = await self._channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        catcher = await self._channel.declare_queue(
            f"{self.prefix}.catcher", arguments={"x-queue-type": "quorum"}, durable=True
        )
        await catcher.bind(exchange, routing_key="registration.*")
        self._stack.push_async_callback(self._delete_queues, catcher.name)

        async def caught(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                self.events.append(Envelope.model_validate_json(message.body))

        await catcher.consume(caught)
        for service in SERVICES:
            app = factories[service](self.settings[service])
            self.apps[service] = app
            await self._stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30)
            self.clients[service] = await self._stack.enter_async_context(client)
        for service in SERVICES:
            await self.runtime(service).broker.wait_ready(30)
        for service in SERVICES:  # consumers declare their queues once connected
            for consumer in self.runtime(service).consumers:
                declared = functools.partial(lambda c: c._queue is not None, consumer)
                await eventually(declared, what="queues")

    async def _delete_queues(self, catcher: str) -> None:
        async with contextlib.AsyncExitStack() as stack:
            connection = await aio_pika.connect(AMQP_URL)
            stack.push_async_callback(connection.close)
            channel = await connection.channel()
            names = [catcher]
            for service in SERVICES:
                if service in self.apps:
                    for consumer in self.runtime(service).consumers:
                        names += [consumer.names.work, consumer.names.retry]
                        names += [consumer.names.dead_letter]
            for name in names:
                with contextlib.suppress(Exception):
                    await channel.queue_delete(name)
            with contextlib.suppress(Exception):
                await channel.exchange_delete(self.exchange)

    async def stop(self) -> None:
        await self._stack.aclose()

    async def dead_letters(self) -> int:
        """Messages any consumer gave up on."""
        assert self._channel is not None
        total = 0
        for service in SERVICES:
            for consumer in self.runtime(service).consumers:
                queue = await self._channel.declare_queue(consumer.names.dead_letter, passive=True)
                total += queue.declaration_result.message_count or 0
        return total


@contextlib.contextmanager
def system_on(loop: Loop, tmp: Path) -> Any:
    """A fresh, started system for one example; stopped and its broker names deleted after."""
    with smtp_server() as (_, port, handler):
        name = f"model-{uuid.uuid4().hex[:8]}"
        system = System(
            apps={}, clients={}, settings={}, mail=handler, exchange=f"{name}.events", prefix=name
        )
        try:
            loop.run(system.start(tmp, port))
            yield system
        finally:
            loop.run(system.stop())
