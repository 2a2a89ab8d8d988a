"""The broker connection's lifecycle: connect in the background, reconnect by itself.

A service starts and serves HTTP even when RabbitMQ is down: the outbox keeps its events until
the broker answers. `connect_robust` then restores channels, queues and consumers after any
later broker restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from shared.messaging.topology import declare_exchange

log = logging.getLogger(__name__)

OnConnected = Callable[[AbstractRobustConnection], Awaitable[None]]


class BrokerPort(Protocol):
    """What a service needs of its broker: a lifecycle, confirmed publishes, a health bit.

    `Broker` is the real one (RabbitMQ); `shared.messaging.memory.InMemoryBroker` is the fast
    tier's stand-in behind the same interface.
    """

    def on_connected(self, callback: OnConnected) -> None: ...

    def start(self) -> None: ...

    async def wait_ready(self, timeout: float | None = None) -> None: ...

    @property
    def is_connected(self) -> bool: ...

    async def publish(
        self, message: aio_pika.Message, *, routing_key: str, mandatory: bool
    ) -> None:
        """Publish on the topic exchange and wait for the broker's confirm."""
        ...

    async def close(self) -> None: ...


class Broker:
    """One robust connection per service, with a publishing channel that confirms."""

    def __init__(
        self,
        url: str,
        *,
        exchange_name: str,
        connection_name: str,
        reconnect_interval_s: float = 2.0,
    ) -> None:
        self._url = url
        self._exchange_name = exchange_name
        self._connection_name = connection_name
        self._reconnect_interval_s = reconnect_interval_s
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._on_connected: list[OnConnected] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def on_connected(self, callback: OnConnected) -> None:
        """Run `callback(connection)` once the first connection is up (declare, consume)."""
        self._on_connected.append(callback)

    def start(self) -> None:
        """Begin connecting in the background; returns at once."""
        if self._task is None:
            self._task = asyncio.create_task(self._connect(), name="broker-connect")

    async def _connect(self) -> None:
        warned = False
        while True:
            connection: AbstractRobustConnection | None = None
            try:
                connection = await aio_pika.connect_robust(
                    self._url,
                    client_properties={"connection_name": self._connection_name},
                    reconnect_interval=self._reconnect_interval_s,
                )
                self._channel = await connection.channel(
                    publisher_confirms=True, on_return_raises=True
                )
                self._exchange = await declare_exchange(self._channel, self._exchange_name)
                for callback in self._on_connected:
                    await callback(connection)
            except (OSError, aio_pika.exceptions.AMQPError) as exc:
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close()
                if isinstance(exc, OSError | aio_pika.exceptions.AMQPConnectionError):
                    if not warned:
                        log.warning("broker not reachable, retrying", extra={"error": str(exc)})
                        warned = True
                else:  # reachable but refusing our topology or channel: say it every time
                    log.error("broker set-up failed, retrying", extra={"error": repr(exc)})
                await asyncio.sleep(self._reconnect_interval_s)
                continue
            break
        self._connection = connection
        self._ready.set()
        log.info("broker connected", extra={"exchange": self._exchange_name})

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the first connection and all on-connected callbacks are done."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    @property
    def is_connected(self) -> bool:
        """True while the connection is open right now (false during a broker outage)."""
        connection = self._connection
        # A robust connection is not `is_closed` while it reconnects; `connected` tells.
        return (
            connection is not None
            and self._ready.is_set()
            and connection.connected.is_set()
            and connection.transport is not None
        )

    async def publish(
        self, message: aio_pika.Message, *, routing_key: str, mandatory: bool
    ) -> None:
        """Publish on the topic exchange and wait for the broker's confirm."""
        await self.exchange.publish(message, routing_key=routing_key, mandatory=mandatory)

    @property
    def exchange(self) -> AbstractExchange:
        """The topic exchange on the confirming channel; only after `wait_ready`."""
        if self._exchange is None:
            raise RuntimeError("broker is not connected yet")
        return self._exchange

    @property
    def connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise RuntimeError("broker is not connected yet")
        return self._connection

    async def close(self) -> None:
        """Stop connecting and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
        self._ready.clear()
