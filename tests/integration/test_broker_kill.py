"""The broker killed hard (SIGKILL) after confirmed publishes loses none of them.

Quorum queues and persistent messages: what the broker confirmed is on disk. Kills and
restarts the local RabbitMQ, so it runs in the marked, slower group that `make test` runs too.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from shared.events import Envelope, EventPayload
from shared.messaging.tables import messaging_tables
from shared.runtime import ConsumerSpec, Runtime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork
from tests.support import eventually, fresh_channel, submitted_event

pytestmark = [pytest.mark.asyncio, pytest.mark.broker_outage]

PATH = os.environ.get("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin"


class KillSettings(ServiceSettings):
    service_name: str = "killing"
    database_url: str = "sqlite+aiosqlite:///:memory:"


async def run(*argv: str, timeout: float = 120, check: bool = True) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PATH": PATH},
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    if check:
        assert process.returncode == 0, output.decode()
    return process.returncode, output.decode()


async def kill_broker_hard_and_restart() -> None:
    _, output = await run("rabbitmqctl", "eval", "os:getpid().")
    pid = int(output.strip().strip('"'))
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.1)
    await run("rabbitmq-server", "-detached")
    # The node takes a moment to register before the CLI can even ask whether it is up.
    deadline = asyncio.get_running_loop().time() + 120
    while True:
        code, output = await run("rabbitmqctl", "await_startup", "--timeout", "60", check=False)
        if code == 0:
            return
        assert asyncio.get_running_loop().time() < deadline, output
        await asyncio.sleep(1)


async def _noop(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
    """The inbox row is the proof of delivery."""


async def test_every_confirmed_event_survives_a_hard_kill_of_the_broker(
    make_settings: Callable[..., Any],
    pg_databases: Any,
) -> None:
    metadata = MetaData()
    tables = messaging_tables(metadata)
    settings = make_settings(
        KillSettings, database_url=await pg_databases.create("kill"), migrate_on_startup=False
    )

    def runtime(consumers: bool) -> Runtime[Any]:
        specs: list[ConsumerSpec[UnitOfWork]] = (
            [ConsumerSpec("sink", {"registration.submitted": _noop})] if consumers else []
        )
        return Runtime(
            settings=settings,
            metadata=metadata,
            tables=tables,
            migrations=None,  # type: ignore[arg-type]  # tables come from the metadata
            uow_class=UnitOfWork,
            consumer_specs=specs,
        )

    async def count(rt: Runtime[Any], where: Any = None) -> int:
        query = select(func.count()).select_from(
            tables.outbox if where is not None else tables.inbox
        )
        if where is not None:
            query = query.where(where)
        async with rt.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    # The consumer's queues exist (declared once), but nothing consumes while we publish.
    consumer = runtime(consumers=True)
    async with consumer.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await consumer.start()
    # Fully started and settled before it stops: a consumer stopped right after its
    # basic.consume left RabbitMQ 3.10 holding a dead consumer that swallowed the messages.
    await consumer.broker.wait_ready(10)
    await asyncio.sleep(1)
    names = consumer.consumers[0].names
    await consumer.stop()

    producer = runtime(consumers=False)
    await producer.start()
    async with producer.uow() as uow:
        for i in range(500):
            uow.emit(submitted_event(f"Org {i}"))
        await uow.commit()

    async def all_confirmed() -> bool:
        return await count(producer, tables.outbox.c.sent_at.is_(None)) == 0

    await eventually(all_confirmed, timeout=30, what="every event confirmed by the broker")
    await producer.stop()

    await kill_broker_hard_and_restart()

    consumer = runtime(consumers=True)
    await consumer.start()
    try:
        # The restarted node recovers its quorum queues first (seconds); then all come.
        async def all_delivered() -> bool:
            return await count(consumer) == 500

        await eventually(all_delivered, timeout=60, what="all 500 confirmed events delivered")
    finally:
        await consumer.stop()
        # A channel of its own: the test's robust connection may still be reconnecting.
        async with fresh_channel() as channel:
            for name in (names.work, names.retry, names.dead_letter):
                await channel.queue_delete(name)
