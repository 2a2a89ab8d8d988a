"""Transactional outbox against the real RabbitMQ, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import aio_pika
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from services.registration.adapters.tables import Registration
from services.registration.main import MIGRATIONS, build_runtime
from services.registration.settings import RegistrationSettings
from services.scheduling.adapters.tables import KnownRegistration
from services.scheduling.main import build_runtime as build_scheduling
from services.scheduling.settings import SchedulingSettings
from shared.clock import SystemClock
from shared.contracts.registration import RegistrationSubmitted
from shared.messaging.amqp import to_amqp_message
from shared.messaging.broker import Broker
from shared.messaging.outbox import claim_due, pending_event_ids
from shared.migrations import upgrade_to_head
from shared.runtime import Runtime
from tests.registration_rows import registration_row
from tests.support import catch_events, eventually, submitted_event

pytestmark = pytest.mark.asyncio


def _registration(event: RegistrationSubmitted) -> Registration:
    return registration_row(event)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, pg_databases: Any, tmp_path: Any) -> str:
    if request.param == "postgresql":
        url: str = await pg_databases.create("outbox")
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'registration.db'}"


@pytest.fixture
async def runtime(
    make_settings: Callable[..., Any], database_url: str
) -> AsyncIterator[Runtime[Any]]:
    settings = make_settings(RegistrationSettings, database_url=database_url)
    runtime = build_runtime(settings, SystemClock())
    await runtime.start()
    await runtime.broker.wait_ready(10)
    yield runtime
    await runtime.stop()


async def _count(runtime: Runtime[Any], table: Any) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_event_is_published_after_commit_and_not_before(
    runtime: Runtime[Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = submitted_event()
    async with catch_events(amqp_connection, runtime.settings.exchange) as catcher:
        async with runtime.uow() as uow:
            uow.session.add(_registration(event))
            envelope = uow.emit(event)
            await uow.session.flush()
            # The transaction is open: however long the relay polls, nothing may go out.
            await asyncio.sleep(3 * runtime.settings.outbox_poll_interval_s)
            assert await catcher.drain(quiet_for=0.3) == []
            await uow.commit()
        message = await catcher.next(timeout=10)
    assert message.message_id == str(envelope.event_id)
    assert message.type == "registration.submitted"
    assert message.correlation_id == envelope.correlation_id
    assert message.app_id == "registration"
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.headers["x-event-version"] == 1
    assert await eventually(
        lambda: _no_pending(runtime), timeout=5, what="the outbox row to be marked sent"
    )


async def _no_pending(runtime: Runtime[Any]) -> bool:
    return await pending_event_ids(runtime.engine, runtime.tables) == []


async def test_rolled_back_transaction_publishes_nothing_and_writes_nothing(
    runtime: Runtime[Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = submitted_event()
    async with catch_events(amqp_connection, runtime.settings.exchange) as catcher:
        with pytest.raises(RuntimeError, match="handler blew up"):
            async with runtime.uow() as uow:
                uow.session.add(_registration(event))
                uow.emit(event)
                await uow.session.flush()
                raise RuntimeError("handler blew up")
        assert await catcher.drain(quiet_for=1.0) == []
    assert await _count(runtime, runtime.tables.outbox) == 0
    assert await _count(runtime, Registration) == 0


async def test_unroutable_event_stays_pending_with_the_reason(runtime: Runtime[Any]) -> None:
    # No queue is bound to this test's exchange: the mandatory publish comes back.
    async with runtime.uow() as uow:
        envelope = uow.emit(submitted_event())
        await uow.commit()

    async def failed_once() -> bool:
        async with runtime.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(runtime.tables.outbox).where(
                        runtime.tables.outbox.c.event_id == envelope.event_id
                    )
                )
            ).one()
        return row.attempts >= 1 and row.sent_at is None

    await eventually(failed_once, timeout=10, what="a failed publish attempt")
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(select(runtime.tables.outbox))).one()
    assert row.sent_at is None
    assert row.last_error.startswith("unroutable")
    assert await pending_event_ids(runtime.engine, runtime.tables) == [envelope.event_id]


async def test_pending_events_go_out_in_commit_order(
    runtime: Runtime[Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with catch_events(amqp_connection, runtime.settings.exchange) as catcher:
        ids = []
        for index in range(30):
            async with runtime.uow() as uow:
                ids.append(str(uow.emit(submitted_event(f"Org {index}")).event_id))
                await uow.commit()
        received: list[str | None] = []
        while len(received) < len(ids):
            received.append((await catcher.next()).message_id)
    assert received == ids


async def test_two_replicas_relay_each_event_exactly_once_on_postgresql(
    make_settings: Callable[..., Any],
    pg_databases: Any,
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
) -> None:
    url = await pg_databases.create("replicas")
    settings = make_settings(RegistrationSettings, database_url=url, outbox_batch_size=20)
    replicas = [build_runtime(settings, SystemClock()), build_runtime(settings, SystemClock())]
    async with catch_events(amqp_connection, settings.exchange) as catcher:
        await asyncio.gather(*(replica.start() for replica in replicas))
        try:
            for replica in replicas:
                await replica.broker.wait_ready(10)
            ids = set()
            for batch in range(10):
                async with replicas[batch % 2].uow() as uow:
                    ids |= {str(uow.emit(submitted_event()).event_id) for _ in range(30)}
                    await uow.commit()
            received = [m.message_id for m in await catcher.drain(quiet_for=1.5)]
        finally:
            for replica in replicas:
                await replica.stop()
    assert len(received) == len(ids) == 300
    assert set(received) == ids  # every event, none twice


async def test_a_relay_that_died_before_marking_sent_is_covered_by_the_next_one(
    make_settings: Callable[..., Any],
    database_url: str,
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
) -> None:
    scheduling = build_scheduling(make_settings(SchedulingSettings), SystemClock())
    await scheduling.start()
    await scheduling.broker.wait_ready(10)
    labels = {"service": "scheduling", "consumer": "registrations"}
    duplicates_before = REGISTRY.get_sample_value("events_duplicate_total", labels) or 0.0
    settings = make_settings(RegistrationSettings, database_url=database_url, outbox_claim_ttl_s=1)
    runtime = build_runtime(settings, SystemClock())
    await upgrade_to_head(runtime.engine, MIGRATIONS)
    async with runtime.uow() as uow:
        envelope = uow.emit(submitted_event())
        await uow.commit()
    # A first relay claims and publishes the row, then dies before recording the outcome.
    dead = Broker(settings.amqp_url, exchange_name=settings.exchange, connection_name="dead")
    dead.start()
    await dead.wait_ready(10)
    (row,) = await claim_due(
        runtime.engine,
        runtime.tables.outbox,
        limit=10,
        lease=timedelta(seconds=1),
        now=runtime.clock.now(),
    )
    await dead.exchange.publish(
        to_amqp_message(envelope, body=row.body.encode()), routing_key=row.event_type
    )
    await dead.close()
    # The next relay publishes it again once the lease is over; the consumer applies it once.
    await runtime.start()
    try:
        await eventually(lambda: _no_pending(runtime), timeout=15, what="the re-publish")

        def second_copy_skipped() -> bool:
            value = REGISTRY.get_sample_value("events_duplicate_total", labels) or 0.0
            return value >= duplicates_before + 1

        await eventually(second_copy_skipped, timeout=10, what="the second copy to be skipped")
        assert await _count(scheduling, KnownRegistration) == 1
        assert await _count(scheduling, scheduling.tables.inbox) == 1
    finally:
        await runtime.stop()
        await scheduling.stop()
