"""Idempotent consumer, retry with delay and dead-lettering, against the real RabbitMQ."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from services.scheduling.adapters.tables import KnownRegistration, messaging, metadata
from services.scheduling.adapters.uow import SchedulingUnitOfWork
from services.scheduling.app.policy import Policy
from services.scheduling.consumers import consumer_specs
from services.scheduling.main import MIGRATIONS, build_runtime
from services.scheduling.settings import SchedulingSettings
from shared.clock import SystemClock
from shared.contracts.registration import RegistrationSubmitted
from shared.events import Envelope, EventPayload, make_envelope
from shared.messaging.amqp import to_amqp_message
from shared.messaging.broker import Broker
from shared.messaging.deadletters import DeadLetter, read_dead_letters, replay_dead_letters
from shared.messaging.inbox import REASON_HEADER, RETRY_COUNT_HEADER, Handler
from shared.runtime import ConsumerSpec, Runtime
from shared.uow import UnitOfWork
from tests.support import eventually, submitted_event

pytestmark = pytest.mark.asyncio

CLOCK = SystemClock()


def _real_handler(event_type: str) -> Handler:
    """The scheduling service's own handler of `event_type`, as its consumer routes it."""
    (registrations,) = consumer_specs(Policy(), CLOCK)
    return registrations.handlers[event_type]


def _runtime(settings: SchedulingSettings, spec: ConsumerSpec[Any]) -> Runtime[Any]:
    """A scheduling runtime whose only work queue is `spec`."""
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        uow_class=SchedulingUnitOfWork,
        clock=CLOCK,
        consumer_specs=[spec],
    )


async def _publish(
    connection: aio_pika.abc.AbstractRobustConnection, exchange: str, envelope: Envelope
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    ex = await channel.get_exchange(exchange)
    await ex.publish(to_amqp_message(envelope), routing_key=envelope.event_type)
    await channel.close()


async def _rows(runtime: Runtime[Any], table: Any) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


@pytest.fixture(params=["sqlite", "postgresql"])
async def scheduling(
    request: pytest.FixtureRequest, make_settings: Callable[..., Any], pg_databases: Any
) -> AsyncIterator[Runtime[Any]]:
    overrides = {}
    if request.param == "postgresql":
        overrides["database_url"] = await pg_databases.create("sched")
    runtime = build_runtime(make_settings(SchedulingSettings, **overrides), CLOCK)
    await runtime.start()
    await runtime.broker.wait_ready(10)
    yield runtime
    await runtime.stop()


async def test_the_same_event_delivered_twice_has_one_effect(
    scheduling: Runtime[Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    envelope = make_envelope(submitted_event(), producer="test")
    labels = {"service": "scheduling", "consumer": "registrations"}
    duplicates_before = REGISTRY.get_sample_value("events_duplicate_total", labels) or 0.0
    # Two publishes of one event id: a fresh delivery each time, `redelivered` unset on both.
    await _publish(amqp_connection, scheduling.settings.exchange, envelope)
    await _publish(amqp_connection, scheduling.settings.exchange, envelope)

    def duplicate_seen() -> bool:
        value = REGISTRY.get_sample_value("events_duplicate_total", labels) or 0.0
        return value >= duplicates_before + 1

    await eventually(duplicate_seen, timeout=10, what="the second copy to be skipped")
    assert await _rows(scheduling, KnownRegistration) == 1
    assert await _rows(scheduling, scheduling.tables.inbox) == 1


async def test_a_handler_that_always_fails_is_retried_then_dead_lettered_while_others_flow(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    attempts: list[float] = []
    record = _real_handler("registration.submitted")

    async def fragile(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        assert isinstance(payload, RegistrationSubmitted)
        if payload.organisation.name == "poison":
            attempts.append(asyncio.get_running_loop().time())
            raise ValueError("cannot digest poison")
        await record(uow, payload, envelope)

    settings = make_settings(SchedulingSettings, max_retries=2, retry_delay_ms=300)
    counted = {"service": "scheduling", "consumer": "fragile"}

    def metric(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, {**counted, **labels}) or 0.0

    retried = metric("events_retried_total", event_type="registration.submitted")
    dead = metric("events_dead_lettered_total", reason="handler_failed")
    runtime = _runtime(
        settings, ConsumerSpec(name="fragile", handlers={"registration.submitted": fragile})
    )
    await runtime.start()
    try:
        await runtime.broker.wait_ready(10)
        poison = make_envelope(submitted_event("poison"), producer="test")
        await _publish(amqp_connection, settings.exchange, poison)
        healthy = [make_envelope(submitted_event(f"Org {i}"), producer="test") for i in range(5)]
        for envelope in healthy:
            await _publish(amqp_connection, settings.exchange, envelope)
        # The healthy events are applied while the poison one waits in the retry queue.
        await eventually(
            lambda: _rows(runtime, KnownRegistration),
            timeout=10,
            what="healthy events to be applied",
        )
        assert len(attempts) < 3

        channel = await amqp_connection.channel()
        dead_letters = await channel.declare_queue(
            runtime.consumers[0].names.dead_letter, passive=True
        )

        async def dead_lettered() -> aio_pika.abc.AbstractIncomingMessage | None:
            return await dead_letters.get(fail=False, no_ack=True)

        message = await eventually(dead_lettered, timeout=15, what="the dead-lettered message")
        await channel.close()
    finally:
        await runtime.stop()

    assert message.message_id == str(poison.event_id)
    assert Envelope.model_validate_json(message.body) == poison
    assert message.headers[RETRY_COUNT_HEADER] == 2
    assert "handler failed 3 times" in str(message.headers[REASON_HEADER])
    assert "cannot digest poison" in str(message.headers[REASON_HEADER])
    assert len(attempts) == 3
    assert metric("events_retried_total", event_type="registration.submitted") == retried + 2
    assert metric("events_dead_lettered_total", reason="handler_failed") == dead + 1
    # Each retry waited in the retry queue for at least the configured delay.
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert all(gap >= 0.25 for gap in gaps), gaps
    assert await _count_known(runtime) == 5


async def _count_known(runtime: Runtime[Any]) -> int:
    from shared.db import create_engine

    engine = create_engine(runtime.settings.database_url)
    try:
        async with engine.connect() as conn:
            table = KnownRegistration
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("body", "properties", "reason"),
    [
        (b"not json at all", {}, "body is not JSON"),
        (b'{"event_type": "registration.submitted"}', {}, "body is not an event envelope"),
        (b"{}", {"content_type": "text/plain"}, "content type 'text/plain'"),
    ],
)
async def test_malformed_messages_are_dead_lettered_with_the_reason_and_the_consumer_goes_on(
    scheduling: Runtime[Any],
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
    body: bytes,
    properties: dict[str, Any],
    reason: str,
) -> None:
    channel = await amqp_connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(scheduling.settings.exchange)
    await exchange.publish(
        aio_pika.Message(body=body, **properties), routing_key="registration.submitted"
    )
    good = make_envelope(submitted_event(), producer="test")
    await exchange.publish(to_amqp_message(good), routing_key=good.event_type)
    dead_letters = await channel.declare_queue(
        scheduling.consumers[0].names.dead_letter, passive=True
    )

    async def dead_lettered() -> aio_pika.abc.AbstractIncomingMessage | None:
        return await dead_letters.get(fail=False, no_ack=True)

    message = await eventually(dead_lettered, timeout=10, what="the malformed message in the DLQ")
    await channel.close()
    assert message.body == body
    assert reason in str(message.headers[REASON_HEADER])
    await eventually(
        lambda: _rows(scheduling, KnownRegistration), timeout=10, what="the good event"
    )


async def test_an_event_type_without_a_handler_is_dead_lettered(
    scheduling: Runtime[Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    envelope = make_envelope(submitted_event(), producer="test").model_copy(
        update={"event_type": "registration.teleported"}
    )
    channel = await amqp_connection.channel(publisher_confirms=True)
    names = scheduling.consumers[0].names
    # Straight into the work queue, as a misbound or replayed message would arrive.
    await channel.default_exchange.publish(to_amqp_message(envelope), routing_key=names.work)
    dead_letters = await channel.declare_queue(names.dead_letter, passive=True)

    async def dead_lettered() -> aio_pika.abc.AbstractIncomingMessage | None:
        return await dead_letters.get(fail=False, no_ack=True)

    message = await eventually(dead_lettered, timeout=10, what="the unknown event in the DLQ")
    await channel.close()
    assert "no handler for 'registration.teleported'" in str(message.headers[REASON_HEADER])


async def test_queues_are_durable_quorum_queues_and_declaring_again_is_harmless(
    scheduling: Runtime[Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    consumer = scheduling.consumers[0]
    # A second start declares the same queues with the same arguments: no channel error.
    broker = scheduling.broker
    assert isinstance(broker, Broker)  # the real broker: this test is about its queues
    await consumer.start(broker.connection)
    channel = await amqp_connection.channel()
    for name in (consumer.names.work, consumer.names.retry, consumer.names.dead_letter):
        queue = await channel.declare_queue(name, passive=True)
        assert queue.name == name
    # Declaring the work queue as classic must clash with the existing quorum queue.
    with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed):
        await channel.declare_queue(consumer.names.work, durable=True)


async def test_staff_can_list_dead_letters_without_taking_them_and_replay_them_after_a_fix(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    fixed = False
    record = _real_handler("registration.submitted")

    async def flaky(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        if not fixed:
            raise LookupError("the period is not known yet")
        await record(uow, payload, envelope)

    settings = make_settings(SchedulingSettings, max_retries=0)
    runtime = _runtime(
        settings, ConsumerSpec(name="fragile", handlers={"registration.submitted": flaky})
    )
    await runtime.start()
    try:
        await runtime.broker.wait_ready(10)
        names = runtime.consumers[0].names
        envelope = make_envelope(submitted_event(), producer="test")
        await _publish(amqp_connection, settings.exchange, envelope)

        async def listed() -> list[DeadLetter]:
            return await read_dead_letters(amqp_connection, names)

        letters = await eventually(listed, timeout=10, what="the dead letter")
        assert await read_dead_letters(amqp_connection, names) == letters  # reading kept it
        (letter,) = letters
        assert letter.message_id == str(envelope.event_id)
        assert letter.event_type == "registration.submitted"
        assert letter.correlation_id == envelope.correlation_id
        assert "the period is not known yet" in letter.reason
        assert letter.exception == "LookupError"

        fixed = True
        replayed = await replay_dead_letters(amqp_connection, names)
        assert replayed == [str(envelope.event_id)]
        await eventually(
            lambda: _rows(runtime, KnownRegistration), timeout=10, what="the replayed event"
        )
        assert await read_dead_letters(amqp_connection, names) == []
    finally:
        await runtime.stop()
