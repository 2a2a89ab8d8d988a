"""Each service's migrations build exactly its models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

from shared.db import create_engine
from shared.migrations import upgrade_to_head

pytestmark = pytest.mark.asyncio

SERVICES = ["registration", "scheduling", "notifications", "webhooks"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models_and_run_twice_harmlessly(
    service: str, backend: str, tmp_path: Path, pg_databases: Any
) -> None:
    models = importlib.import_module(f"services.{service}.adapters.tables")
    main = importlib.import_module(f"services.{service}.main")
    metadata: MetaData = models.metadata
    if backend == "postgresql":
        url = await pg_databases.create(f"mig_{service[:5]}")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / service}.db"
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine, main.MIGRATIONS)
        await upgrade_to_head(engine, main.MIGRATIONS)  # already at head: a no-op

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
    assert {"outbox", "inbox"} <= present
