"""Deliveries that wait together share one transaction, and still take effect once each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
from sqlalchemy import Column, MetaData, String, Table, Uuid, func, insert, select

from shared.contracts.registration import RegistrationSubmitted
from shared.events import Envelope, EventPayload, make_envelope
from shared.messaging.amqp import to_amqp_message
from shared.messaging.inbox import REASON_HEADER
from shared.messaging.tables import messaging_tables
from shared.runtime import ConsumerSpec, Runtime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork
from tests.support import eventually, submitted_event


class BatchSettings(ServiceSettings):
    service_name: str = "batching"
    database_url: str = "sqlite+aiosqlite:///:memory:"


metadata = MetaData()
tables = messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("event_id", Uuid, primary_key=True),  # a second effect of one event cannot exist
    Column("organisation", String(200), nullable=False),
)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, pg_databases: Any, tmp_path: Any) -> str:
    if request.param == "postgresql":
        url: str = await pg_databases.create("batch")
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'batch.db'}"


@pytest.fixture
async def start(
    make_settings: Callable[..., Any],
    database_url: str,
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
) -> AsyncIterator[Callable[..., Any]]:
    runtimes: list[Runtime[Any]] = []

    async def started(handler: Any, **overrides: Any) -> Runtime[Any]:
        settings = make_settings(
            BatchSettings,
            database_url=database_url,
            migrate_on_startup=False,
            max_retries=1,
            retry_delay_ms=200,
            **overrides,
        )
        runtime = Runtime(
            settings=settings,
            metadata=metadata,
            tables=tables,
            migrations=None,  # type: ignore[arg-type]  # tables come from the metadata
            uow_class=UnitOfWork,
            consumer_specs=[ConsumerSpec("effects", {"registration.submitted": handler})],
        )
        async with runtime.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await runtime.start()
        await runtime.broker.wait_ready(10)
        runtimes.append(runtime)
        await eventually(lambda: runtime.consumers[0]._queue is not None, what="queues")
        return runtime

    yield started
    # Deleting an at-least-once retry queue while the broker still starts its dead-letter
    # worker crashes that worker's supervisor in RabbitMQ 3.10; give it time to settle.
    await asyncio.sleep(2)
    channel = await amqp_connection.channel()
    for runtime in runtimes:
        await runtime.stop()
        names = runtime.consumers[0].names
        for name in (names.work, names.retry, names.dead_letter):
            await channel.queue_delete(name)
    await channel.close()


async def _publish_all(
    connection: aio_pika.abc.AbstractRobustConnection, exchange: str, envelopes: list[Envelope]
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    ex = await channel.get_exchange(exchange)
    await asyncio.gather(
        *(ex.publish(to_amqp_message(e), routing_key=e.event_type) for e in envelopes)
    )
    await channel.close()


async def _count(runtime: Runtime[Any], table: Table) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_burst_is_applied_in_shared_transactions_once_per_event_even_with_duplicates(
    start: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    transactions: set[int] = set()

    async def record(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        assert isinstance(payload, RegistrationSubmitted)
        transactions.add(id(uow))
        await uow.session.exec(
            insert(effects).values(
                event_id=envelope.event_id, organisation=payload.organisation.name
            )
        )

    runtime = await start(record)
    envelopes = [make_envelope(submitted_event(f"Org {i}"), producer="t") for i in range(300)]
    duplicates = envelopes[::10]  # the same message id again, `redelivered` unset
    await _publish_all(amqp_connection, runtime.settings.exchange, envelopes + duplicates)

    async def all_applied() -> bool:
        return await _count(runtime, tables.inbox) == 300

    await eventually(all_applied, timeout=30, what="300 events applied")
    await asyncio.sleep(0.3)  # let any stray duplicate land
    assert await _count(runtime, effects) == 300
    assert await _count(runtime, tables.inbox) == 300
    assert len(transactions) < 300, "a burst shares transactions"


async def test_a_failing_event_in_a_batch_alone_is_retried_and_dead_lettered(
    start: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    poison_attempts = 0

    async def fragile(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        nonlocal poison_attempts
        assert isinstance(payload, RegistrationSubmitted)
        if payload.organisation.name == "poison":
            poison_attempts += 1
            raise ValueError("cannot digest poison")
        await uow.session.exec(
            insert(effects).values(
                event_id=envelope.event_id, organisation=payload.organisation.name
            )
        )

    runtime = await start(fragile)
    healthy = [make_envelope(submitted_event(f"Org {i}"), producer="t") for i in range(100)]
    poison = make_envelope(submitted_event("poison"), producer="t")
    await _publish_all(
        amqp_connection, runtime.settings.exchange, [*healthy[:50], poison, *healthy[50:]]
    )

    async def healthy_applied() -> bool:
        return await _count(runtime, effects) == 100

    await eventually(healthy_applied, timeout=30, what="the healthy events")
    channel = await amqp_connection.channel()
    dlq = await channel.declare_queue(runtime.consumers[0].names.dead_letter, passive=True)

    async def dead_lettered() -> aio_pika.abc.AbstractIncomingMessage | None:
        return await dlq.get(fail=False, no_ack=True)

    message = await eventually(dead_lettered, timeout=15, what="the poison in the DLQ")
    await channel.close()
    assert message.message_id == str(poison.event_id)
    assert "cannot digest poison" in str(message.headers[REASON_HEADER])
    assert poison_attempts == 2, "one try per delivery: the first and one retry"
    assert await _count(runtime, tables.inbox) == 100


async def test_the_production_retry_queue_hands_messages_back_at_least_once(
    start: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    failures = 0

    async def flaky(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise ConnectionError("a passing outage")
        await uow.session.exec(
            insert(effects).values(event_id=envelope.event_id, organisation="flaky")
        )

    runtime = await start(flaky, retry_dead_letter_strategy="at-least-once")
    await _publish_all(
        amqp_connection,
        runtime.settings.exchange,
        [make_envelope(submitted_event("Flaky"), producer="t")],
    )

    async def applied() -> bool:
        return await _count(runtime, effects) == 1

    await eventually(applied, timeout=15, what="the event applied after one retry")
    assert failures == 1
