"""Bus: outbox relay → RabbitMQ → idempotent consumer, against raw aio-pika in the same run.

    python -m bench.bus [--events 5000] [--runs 3] [--linger-ms 5]

Ceiling: raw aio-pika publishing persistent messages with publisher confirms (in batches the
size of the relay's) to a quorum queue, consumed and acked with the same prefetch.
Our path: the same number of events committed to the outbox of a PostgreSQL database, relayed
by `OutboxRelay`, consumed by `EventConsumer` with its inbox row per event, in one process.
Both are timed from the first publish to the last event applied.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import uuid
from datetime import date
from typing import Any

import aio_pika
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, func, select

from bench._common import AMQP_URL, PgDatabase, Spread, Stopwatch, delete_queues, record, run_id
from shared.clock import SystemClock
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationSubmitted
from shared.events import Envelope, EventPayload, make_envelope
from shared.messaging.outbox import add_to_outbox
from shared.messaging.tables import messaging_tables
from shared.messaging.topology import queue_names
from shared.runtime import ConsumerSpec, Runtime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

PREFETCH = 64
BATCH = 200


class BenchSettings(ServiceSettings):
    service_name: str = "bench"
    database_url: str = "sqlite+aiosqlite:///:memory:"


def event() -> RegistrationSubmitted:
    return RegistrationSubmitted(
        registration_id=uuid.uuid4(),
        state="submitted",
        organisation=OrganisationRef(
            name="Esimerkki Terveys Oy",
            business_id="2077474-0",
            domain="health_care",
            sector="private",
        ),
        service="patient_data_repository",
        reason="first_deployment",
        period=PeriodRef(year=2027, number=1),
        planned_production_start=date(2027, 4, 15),
        contacts=[Contact(name="Maija", email="maija@example.fi", language="fi")],
        submitted_at=SystemClock().now(),
    )


async def raw_ceiling(n: int) -> float:
    """Events per second with bare aio-pika: confirmed persistent publish + consume + ack."""
    name = run_id()
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(f"{name}.events", aio_pika.ExchangeType.TOPIC)
        queue = await channel.declare_queue(
            f"{name}.raw", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(exchange, "registration.#")
        consumer_channel = await connection.channel()
        await consumer_channel.set_qos(prefetch_count=PREFETCH)
        consumer_queue = await consumer_channel.get_queue(queue.name)
        done = asyncio.Event()
        seen = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == n:
                done.set()

        await consumer_queue.consume(on_message)
        bodies = [
            make_envelope(event(), producer="bench").model_dump_json().encode() for _ in range(n)
        ]
        with Stopwatch() as watch:
            for start in range(0, n, BATCH):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                body,
                                message_id=str(uuid.uuid4()),
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                content_type="application/json",
                            ),
                            routing_key="registration.submitted",
                            mandatory=True,
                        )
                        for body in bodies[start : start + BATCH]
                    )
                )
            await asyncio.wait_for(done.wait(), 300)
        await channel.queue_delete(queue.name)
        await channel.exchange_delete(exchange.name)
    finally:
        await connection.close()
    return n / watch.seconds


async def _noop(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
    """The effect under test is the inbox row itself (written by the consumer)."""


def batches_so_far() -> tuple[float, float]:
    """(transactions, events) the bench's consumer has applied, from its batch histogram."""
    labels = {"service": "bench", "consumer": "sink"}
    count = REGISTRY.get_sample_value("consumer_batch_events_count", labels) or 0.0
    total = REGISTRY.get_sample_value("consumer_batch_events_sum", labels) or 0.0
    return count, total


async def our_path(n: int, linger_ms: float = 5.0) -> float:
    """Events per second through our outbox relay, broker and idempotent consumer."""
    name = run_id()
    async with PgDatabase("bus") as database:
        metadata = MetaData()
        tables = messaging_tables(metadata)
        settings = BenchSettings(
            database_url=database.url,
            exchange=f"{name}.events",
            queue_prefix=name,
            prefetch=PREFETCH,
            outbox_batch_size=BATCH,
            consumer_batch_linger_ms=linger_ms,
            migrate_on_startup=False,
            log_level="WARNING",
        )
        runtime = Runtime(
            settings=settings,
            metadata=metadata,
            tables=tables,
            migrations=ROOT_MIGRATIONS,
            uow_class=UnitOfWork,
            consumer_specs=[ConsumerSpec("sink", {"registration.submitted": _noop})],
        )
        async with runtime.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await runtime.start()
        await runtime.broker.wait_ready(30)
        # Let the consumer declare its queues before anything is published.
        for _ in range(200):
            if all(c._queue is not None for c in runtime.consumers):
                break
            await asyncio.sleep(0.05)
        envelopes = [make_envelope(event(), producer="bench") for _ in range(n)]
        async with runtime.sessions() as session:
            await add_to_outbox(
                session, tables=tables, envelopes=envelopes, now=runtime.clock.now()
            )
            await session.commit()

        async def applied() -> int:
            async with runtime.engine.connect() as conn:
                count = await conn.execute(select(func.count()).select_from(tables.inbox))
                return int(count.scalar_one())

        try:
            with Stopwatch() as watch:
                runtime.relay.notify()
                while await applied() < n:  # noqa: ASYNC110  (polling the database is the point)
                    await asyncio.sleep(0.02)
        finally:
            await runtime.stop()
            names = queue_names(name, "bench", "sink")
            await delete_queues(
                name, [names.work, names.retry, names.dead_letter], [settings.exchange]
            )
    return n / watch.seconds


ROOT_MIGRATIONS: Any = None  # tables are created from the metadata; nothing to migrate


async def main(events: int, runs: int, linger_ms: float) -> dict[str, Any]:
    raw: list[float] = []
    ours: list[float] = []
    batch_means: list[float] = []
    for _ in range(runs):  # interleaved, so drift on the machine hits both alike
        raw.append(await raw_ceiling(events))
        transactions, applied = batches_so_far()
        ours.append(await our_path(events, linger_ms))
        more_transactions, more_applied = batches_so_far()
        batch_means.append((more_applied - applied) / max(1.0, more_transactions - transactions))
    ratios = [o / r for o, r in zip(ours, raw, strict=True)]
    figures = {
        "events": events,
        "runs": runs,
        "raw_events_per_s": Spread.of(raw).__dict__,
        "ours_events_per_s": Spread.of(ours).__dict__,
        "ratio": Spread.of(ratios).__dict__,
        "events_per_transaction": Spread.of(batch_means).__dict__,
        "consumer_batch_linger_ms": linger_ms,
        "goal": 0.5,
    }
    print(f"bus: raw aio-pika      {Spread.of(raw).show(' ev/s', 0)}")
    print(f"bus: outbox → inbox    {Spread.of(ours).show(' ev/s', 0)}")
    print(f"bus: ratio             {Spread.of(ratios).show('×', 2)}  (goal ≥ 0.5×)")
    print(f"bus: events a consumer transaction {Spread.of(batch_means).show('', 1)}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--linger-ms", type=float, default=5.0, help="CONSUMER_BATCH_LINGER_MS of our consumer"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main(args.events, args.runs, args.linger_ms))
    record("bus", result, {"bus_ratio": result["ratio"]["median"]})
