"""Two replicas of the webhooks service on one PostgreSQL database send each attempt once,
and the migrations build exactly the models on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection

from services.webhooks.adapters.tables import Delivery, metadata
from services.webhooks.main import MIGRATIONS
from shared.db import create_engine
from shared.migrations import upgrade_to_head
from tests.integration.webhooks_support import (
    Amqp,
    accepted,
    loopback_settings,
    publish,
    receiver,
    service,
    subscribe,
)
from tests.support import eventually

EVENTS = 40


async def test_two_replicas_on_one_postgres_send_each_attempt_once(
    make_settings: Callable[..., Any], pg_databases: Any, amqp_connection: Amqp
) -> None:
    url = await pg_databases.create("webhooks")
    # Small batches and a slow receiver: the two senders' claims overlap all the time.
    settings = loopback_settings(
        make_settings, database_url=url, webhook_batch_size=4, webhook_concurrency=4
    )
    async with (
        receiver() as rec,
        service(settings) as (first, client),
        service(settings) as (second, _),
    ):
        rec.delay_s = 0.02
        await subscribe(client, settings, rec.url("/both"))
        events = [accepted() for _ in range(EVENTS)]
        await publish(amqp_connection, settings, *events)
        await eventually(
            lambda: len({r.headers["webhook-id"] for r in rec.to("/both")}) == EVENTS,
            timeout=30,
            what=f"{EVENTS} distinct deliveries",
        )
        await asyncio.sleep(1.0)  # a duplicate, if any, would arrive meanwhile
        per_id = Counter(r.headers["webhook-id"] for r in rec.to("/both"))
        assert set(per_id.values()) == {1}, [i for i, n in per_id.items() if n > 1]
        assert set(per_id) == {str(e.event_id) for e in events}
        # Both replicas did part of the work (else this proved nothing about claiming).
        engine = first.state.runtime.engine
        async with engine.connect() as conn:
            attempts = (await conn.execute(select(func.sum(Delivery.attempts)))).scalar_one()
        assert attempts == EVENTS
        shares = (first.state.sender.attempted, second.state.sender.attempted)
        assert sum(shares) == EVENTS and min(shares) > 0, shares


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_migrations_match_the_models_and_run_twice_harmlessly(
    backend: str, tmp_path: Path, pg_databases: Any
) -> None:
    if backend == "postgresql":
        url = await pg_databases.create("mig_webho")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'webhooks'}.db"
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine, MIGRATIONS)
        await upgrade_to_head(engine, MIGRATIONS)

        def differences(connection: Connection) -> list[Any]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))

        def tables(connection: Connection) -> set[str]:
            return set(inspect(connection).get_table_names())

        async with engine.connect() as conn:
            diff = await conn.run_sync(differences)
            present = await conn.run_sync(tables)
    finally:
        await engine.dispose()
    assert diff == []
    assert present == set(metadata.tables) | {"alembic_version"}
