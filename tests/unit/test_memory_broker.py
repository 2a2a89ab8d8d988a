"""The fast tier's broker: a commit's events reach the in-memory stand-in through the real relay."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import MetaData

from shared.messaging.memory import InMemoryBroker
from shared.messaging.tables import messaging_tables
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork
from tests.support import submitted_event

metadata = MetaData()
tables = messaging_tables(metadata)


class FastSettings(ServiceSettings):
    service_name: str = "fast"


async def test_a_committed_event_is_published_once_and_a_rolled_back_one_never(
    fast_settings: Callable[..., Any],
) -> None:
    runtime = Runtime(
        settings=fast_settings(FastSettings, migrate_on_startup=False),
        metadata=metadata,
        tables=tables,
        migrations=None,  # type: ignore[arg-type]  # tables come from the metadata
        uow_class=UnitOfWork,
    )
    assert isinstance(runtime.broker, InMemoryBroker)
    async with runtime.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await runtime.start()
    try:
        async with runtime.uow() as uow:
            uow.emit(submitted_event())
            await uow.rollback()  # a rollback drops what the unit of work emitted
            await uow.commit()
        async with runtime.uow() as uow:
            kept = uow.emit(submitted_event())
            await uow.commit()
        for _ in range(100):
            if runtime.broker.published:
                break
            await asyncio.sleep(0.02)
        assert [p.envelope.event_id for p in runtime.broker.published] == [kept.event_id]
        assert runtime.broker.event_types() == ["registration.submitted"]
        assert runtime.broker.published[0].mandatory
    finally:
        await runtime.stop()


def test_the_memory_broker_is_for_tests_only() -> None:
    with pytest.raises(ValueError, match="for tests only"):
        FastSettings(amqp_url="memory://", environment="development", database_url="sqlite:///x.db")
