"""Outbox claiming, outcome recording, inbox deduplication and the unit of work (SQLite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registration.adapters.tables import Registration, messaging
from services.registration.main import MIGRATIONS
from shared.clock import SettableClock
from shared.db import create_engine, session_factory
from shared.events import Envelope, EventPayload, make_envelope, parse_payload
from shared.messaging.inbox import EventConsumer, claim_in_inbox
from shared.messaging.outbox import (
    MAX_BACKOFF_S,
    Failure,
    backoff_seconds,
    claim_due,
    pending_event_ids,
    record_outcome,
)
from shared.messaging.topology import queue_names
from shared.migrations import upgrade_to_head
from shared.uow import UnitOfWork
from tests.registration_rows import registration_row
from tests.support import submitted_event

T0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unit.db'}")
    await upgrade_to_head(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


def _uow(engine: AsyncEngine, commits: list[int] | None = None) -> UnitOfWork:
    def on_commit() -> None:
        if commits is not None:
            commits.append(1)

    return UnitOfWork(
        session_factory(engine),
        tables=messaging,
        producer="registration",
        clock=SettableClock(T0),
        on_commit=on_commit,
    )


async def _emit(engine: AsyncEngine, count: int) -> list[Envelope]:
    async with _uow(engine) as uow:
        envelopes = [uow.emit(submitted_event()) for _ in range(count)]
        await uow.commit()
    return envelopes


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(messaging.outbox)
        return int((await conn.execute(query)).scalar_one())


async def test_commit_writes_the_events_and_wakes_the_relay_once(engine: AsyncEngine) -> None:
    commits: list[int] = []
    async with _uow(engine, commits) as uow:
        first, second = uow.emit(submitted_event()), uow.emit(submitted_event())
        await uow.commit()
    assert commits == [1]
    assert await pending_event_ids(engine, messaging) == [first.event_id, second.event_id]


async def test_a_commit_without_events_does_not_wake_the_relay(engine: AsyncEngine) -> None:
    commits: list[int] = []
    async with _uow(engine, commits) as uow:
        await uow.commit()
    assert commits == []


async def test_leaving_without_commit_writes_neither_state_nor_events(engine: AsyncEngine) -> None:
    commits: list[int] = []
    async with _uow(engine, commits) as uow:
        event = submitted_event()
        uow.session.add(registration_row(event, at=T0))
        uow.emit(event)
        await uow.session.flush()
    assert commits == []
    assert await _count(engine) == 0
    async with engine.connect() as conn:
        rows = (await conn.execute(select(func.count()).select_from(Registration))).scalar()
    assert rows == 0


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(engine: AsyncEngine) -> None:
    await _emit(engine, 3)
    first = await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=T0)
    assert [row.id for row in first] == [1, 2, 3]
    assert await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=T0) == []
    almost = T0 + LEASE - timedelta(microseconds=1)
    assert await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=almost) == []
    again = await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=T0 + LEASE)
    assert [row.id for row in again] == [1, 2, 3]


async def test_claims_take_the_oldest_rows_first_up_to_the_limit(engine: AsyncEngine) -> None:
    await _emit(engine, 5)
    first = await claim_due(engine, messaging.outbox, limit=2, lease=LEASE, now=T0)
    second = await claim_due(engine, messaging.outbox, limit=2, lease=LEASE, now=T0)
    assert [r.id for r in first] == [1, 2]
    assert [r.id for r in second] == [3, 4]


async def test_sent_rows_are_never_claimed_again(engine: AsyncEngine) -> None:
    envelopes = await _emit(engine, 2)
    rows = await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=T0)
    await record_outcome(engine, messaging.outbox, sent=[rows[0].id], failed=[], now=T0)
    later = T0 + timedelta(days=1)
    again = await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=later)
    assert [r.id for r in again] == [rows[1].id]
    assert await pending_event_ids(engine, messaging) == [envelopes[1].event_id]


async def test_a_failed_publish_stays_pending_with_an_attempt_error_and_back_off(
    engine: AsyncEngine,
) -> None:
    await _emit(engine, 1)
    (row,) = await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=T0)
    failure = Failure(row_id=row.id, attempts=row.attempts, error="unroutable: NO_ROUTE")
    await record_outcome(engine, messaging.outbox, sent=[], failed=[failure], now=T0)
    retry_at = T0 + timedelta(seconds=backoff_seconds(0))
    early = retry_at - timedelta(microseconds=1)
    assert await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=early) == []
    (again,) = await claim_due(engine, messaging.outbox, limit=10, lease=LEASE, now=retry_at)
    assert again.attempts == 1
    async with engine.connect() as conn:
        stored = (await conn.execute(select(messaging.outbox))).one()
    assert stored.last_error == "unroutable: NO_ROUTE"
    assert stored.sent_at is None


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(0, 0.5), (1, 1.0), (2, 2.0), (6, 32.0), (7, 60.0), (50, 60.0)]
)
def test_back_off_doubles_from_half_a_second_and_is_capped(attempts: int, seconds: float) -> None:
    assert backoff_seconds(attempts) == seconds
    assert backoff_seconds(attempts) <= MAX_BACKOFF_S


async def test_the_inbox_takes_an_event_once_per_consumer(engine: AsyncEngine) -> None:
    envelope = make_envelope(submitted_event(), producer="registration", correlation_id="c")
    async with _uow(engine) as uow:
        first = await claim_in_inbox(uow, tables=messaging, consumer="a", envelope=envelope)
        again = await claim_in_inbox(uow, tables=messaging, consumer="a", envelope=envelope)
        other = await claim_in_inbox(uow, tables=messaging, consumer="b", envelope=envelope)
        await uow.commit()
    assert (first, again, other) == (True, False, True)
    async with _uow(engine) as uow:
        later = await claim_in_inbox(uow, tables=messaging, consumer="a", envelope=envelope)
    assert later is False


async def test_an_inbox_claim_rolled_back_with_its_effect_can_be_taken_again(
    engine: AsyncEngine,
) -> None:
    envelope = make_envelope(submitted_event(), producer="registration", correlation_id="c")
    async with _uow(engine) as uow:
        assert await claim_in_inbox(uow, tables=messaging, consumer="a", envelope=envelope)
        # the handler failed: no commit
    async with _uow(engine) as uow:
        assert await claim_in_inbox(uow, tables=messaging, consumer="a", envelope=envelope)


async def test_after_commit_callbacks_run_after_a_commit_and_never_after_a_rollback(
    engine: AsyncEngine,
) -> None:
    calls: list[str] = []
    async with _uow(engine) as uow:
        uow.after_commit(lambda: calls.append("rolled back"))
    async with _uow(engine) as uow:
        uow.after_commit(lambda: calls.append("committed"))
        assert calls == []
        await uow.commit()
    assert calls == ["committed"]


def _consumer(engine: AsyncEngine, *, linger_ms: float) -> EventConsumer:
    return EventConsumer(
        name="batching",
        service="unit",
        names=queue_names("unit", "unit", "batching"),
        exchange_name="unit.events",
        handlers={},
        uow_factory=lambda: _uow(engine),
        tables=messaging,
        batch_linger_ms=linger_ms,
    )


async def _apply_in_two_waves(consumer: EventConsumer, first: int, then: int) -> list[int]:
    """`first` deliveries at once, `then` more 50 ms later; the transaction of each event."""
    transactions: list[int] = []

    async def handler(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        transactions.append(id(uow))

    def apply(count: int) -> list[asyncio.Task[bool]]:
        envelopes = [make_envelope(submitted_event(), producer="unit") for _ in range(count)]
        return [
            asyncio.create_task(consumer._apply_batched(handler, e, parse_payload(e)))
            for e in envelopes
        ]

    waves = apply(first)
    await asyncio.sleep(0.05)
    waves += apply(then)
    assert all(await asyncio.gather(*waves))
    return transactions


async def test_under_load_a_batch_lingers_for_more_deliveries_to_join(engine: AsyncEngine) -> None:
    lingering = await _apply_in_two_waves(_consumer(engine, linger_ms=300), 3, 7)
    assert len(lingering) == 10 and len(set(lingering)) == 1, "one transaction for both waves"
    eager = await _apply_in_two_waves(_consumer(engine, linger_ms=0), 3, 7)
    assert len(eager) == 10 and len(set(eager)) == 2, "without lingering, a transaction a wave"


async def test_a_delivery_that_arrives_alone_does_not_linger(engine: AsyncEngine) -> None:
    consumer = _consumer(engine, linger_ms=60_000)
    envelope = make_envelope(submitted_event(), producer="unit")

    async def handler(uow: UnitOfWork, payload: EventPayload, envelope: Envelope) -> None:
        return None

    applied = consumer._apply_batched(handler, envelope, parse_payload(envelope))
    assert await asyncio.wait_for(applied, timeout=10) is True
