"""Session fixtures: the real RabbitMQ and PostgreSQL on loopback, names unique to this run."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import asyncpg
import pytest

from shared.clock import SystemClock
from shared.messaging.topology import queue_names
from shared.settings import MEMORY_BROKER, ServiceSettings
from tests.support import AMQP_URL, PG_ADMIN_URL, fresh_channel, smtp_server

S = TypeVar("S", bound=ServiceSettings)


@pytest.fixture(scope="session")
def run_id() -> str:
    """Unique to this test run: exchange, queue and database names carry it."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
async def amqp_connection() -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    """A robust connection of this test's own, to publish and inspect queues.

    Per test: a robust connection re-declares on reconnect everything its channels ever
    declared, and a queue another test deleted since would make that recovery fail.
    """
    connection = await aio_pika.connect_robust(AMQP_URL, reconnect_interval=0.5)
    yield connection
    await connection.close()


def _consumer_queues(prefix: str) -> list[str]:
    """Every queue the services' consumers (and the tests' own) may declare under `prefix`.

    Built from each service's real runtime (nothing connects until it starts).
    """
    names = [queue_names(prefix, "scheduling", "fragile")]
    for service in ("registration", "scheduling", "notifications", "webhooks"):
        main = importlib.import_module(f"services.{service}.main")
        settings_module = importlib.import_module(f"services.{service}.settings")
        settings_class = getattr(settings_module, f"{service.capitalize()}Settings")
        settings = settings_class(
            database_url="sqlite+aiosqlite:///:memory:", queue_prefix=prefix, environment="test"
        )
        runtime = main.build_runtime(settings, SystemClock())
        names += [consumer.names for consumer in runtime.consumers]
    return [n for q in names for n in (q.work, q.retry, q.dead_letter)]


@pytest.fixture
async def bus_names(
    run_id: str, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> AsyncIterator[tuple[str, str]]:
    """(exchange, queue prefix) of this test alone; both are deleted afterwards.

    The queues are deleted explicitly: leaving many quorum queues to expire together stalls
    the broker for seconds. `x-expires` stays as the safety net of an interrupted run.
    """
    test_id = uuid.uuid4().hex[:8]
    exchange, prefix = f"test-{run_id}-{test_id}.events", f"test-{run_id}-{test_id}"
    yield exchange, prefix
    if amqp_connection.transport is None:  # still reconnecting after a broker restart
        async with fresh_channel() as channel:
            await _delete_bus(channel, exchange, prefix)
        return
    try:
        channel = await amqp_connection.channel()
        await _delete_bus(channel, exchange, prefix)
        await channel.close()
    except aio_pika.exceptions.AMQPError:  # broker restarting after an outage test
        pass


async def _delete_bus(channel: aio_pika.abc.AbstractChannel, exchange: str, prefix: str) -> None:
    for name in _consumer_queues(prefix):
        await channel.queue_delete(name)  # a missing queue is fine: RabbitMQ says ok
    await channel.exchange_delete(exchange)


class PgDatabases:
    """Creates throw-away PostgreSQL databases for this run and drops them at the end."""

    def __init__(self, run_id: str) -> None:
        self._run_id = run_id
        self._created: list[str] = []

    async def create(self, label: str) -> str:
        name = f"t_{self._run_id}_{label}_{uuid.uuid4().hex[:6]}"
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self._created.append(name)
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            for name in self._created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture(scope="session")
async def pg_databases(run_id: str) -> AsyncIterator[PgDatabases]:
    databases = PgDatabases(run_id)
    yield databases
    await databases.drop_all()


@pytest.fixture
def make_settings(bus_names: tuple[str, str], tmp_path: Path) -> Callable[..., Any]:
    """Build a service's settings on this test's exchange and queues, on SQLite by default."""
    exchange, prefix = bus_names

    def build(cls: type[S], **overrides: Any) -> S:
        service = cls.model_fields["service_name"].default
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": f"sqlite+aiosqlite:///{tmp_path / service}-{uuid.uuid4().hex[:6]}.db",
            "amqp_url": AMQP_URL,
            "exchange": exchange,
            "queue_prefix": prefix,
            "queue_expires_ms": 15 * 60 * 1000,
            "retry_delay_ms": 200,
            "retry_dead_letter_strategy": "at-most-once",
            "max_retries": 2,
            "outbox_poll_interval_s": 0.2,
            "broker_reconnect_interval_s": 0.5,
            "log_json": False,
        }
        values.update(overrides)
        return cls(**values)

    return build


@pytest.fixture
def fast_settings(tmp_path: Path) -> Callable[..., Any]:
    """A service's settings for the fast tier: SQLite and the in-memory broker, nothing to start."""

    def build(cls: type[S], **overrides: Any) -> S:
        service = cls.model_fields["service_name"].default
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": f"sqlite+aiosqlite:///{tmp_path / service}-{uuid.uuid4().hex[:6]}.db",
            "amqp_url": MEMORY_BROKER,
            "outbox_poll_interval_s": 0.05,
            "log_json": False,
        }
        values.update(overrides)
        return cls(**values)

    return build


@pytest.fixture
def smtp() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on loopback for one test: (host, port, handler)."""
    with smtp_server() as server:
        yield server
