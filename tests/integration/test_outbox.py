"""Transactional outbox against the real RabbitMQ, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from sqlalchemy import func, select

from services.registration.main import build_runtime
from services.registration.models import Registration
from services.registration.settings import RegistrationSettings
from shared.events import Contact, RegistrationSubmitted
from shared.messaging.outbox import pending_event_ids
from shared.runtime import Runtime
from tests.support import catch_events, eventually

pytestmark = pytest.mark.asyncio


def _event(name: str = "Esimerkki Terveys Oy") -> RegistrationSubmitted:
    return RegistrationSubmitted(
        registration_id=uuid.uuid4(),
        organisation_name=name,
        business_id="2077474-0",
        contacts=[Contact(name="Maija", email="maija@example.fi", language="fi")],
        submitted_at=datetime.now(UTC),
    )


def _registration(event: RegistrationSubmitted) -> Registration:
    now = datetime.now(UTC)
    return Registration(
        id=event.registration_id,
        organisation_name=event.organisation_name,
        business_id=event.business_id,
        state="submitted",
        submitted_at=now,
        updated_at=now,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, pg_databases: Any, tmp_path: Any) -> str:
    if request.param == "postgresql":
        url: str = await pg_databases.create("outbox")
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'registration.db'}"


@pytest.fixture
async def runtime(make_settings: Callable[..., Any], database_url: str) -> AsyncIterator[Runtime]:
    settings = make_settings(RegistrationSettings, database_url=database_url)
    runtime = build_runtime(settings)
    await runtime.start()
    await runtime.broker.wait_ready(10)
    yield runtime
    await runtime.stop()


async def _count(runtime: Runtime, table: Any) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_event_is_published_after_commit_and_not_before(
    runtime: Runtime, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = _event()
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


async def _no_pending(runtime: Runtime) -> bool:
    return await pending_event_ids(runtime.engine, runtime.tables) == []


async def test_rolled_back_transaction_publishes_nothing_and_writes_nothing(
    runtime: Runtime, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    event = _event()
    async with catch_events(amqp_connection, runtime.settings.exchange) as catcher:
        with pytest.raises(RuntimeError, match="handler blew up"):
            async with runtime.uow() as uow:
                uow.session.add(_registration(event))
                uow.emit(event)
                await uow.session.flush()
                raise RuntimeError("handler blew up")
        assert await catcher.drain(quiet_for=1.0) == []
    assert await _count(runtime, runtime.tables.outbox) == 0
    assert await _count(runtime, Registration.__table__) == 0


async def test_unroutable_event_stays_pending_with_the_reason(runtime: Runtime) -> None:
    # No queue is bound to this test's exchange: the mandatory publish comes back.
    async with runtime.uow() as uow:
        envelope = uow.emit(_event())
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
    runtime: Runtime, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with catch_events(amqp_connection, runtime.settings.exchange) as catcher:
        ids = []
        for index in range(30):
            async with runtime.uow() as uow:
                ids.append(str(uow.emit(_event(f"Org {index}")).event_id))
                await uow.commit()
        received = []
        while len(received) < len(ids):
            received.append((await catcher.next()).message_id)
    assert received == ids
