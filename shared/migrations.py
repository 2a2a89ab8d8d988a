"""Alembic, per service: applied at start-up or by `kanta-migrate <service>`.

Each service's `migrations/env.py` calls `run_env(metadata)`; `upgrade_to_head` runs it on an
existing async engine. On PostgreSQL an advisory lock makes concurrent replicas migrate once.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(script_location: Path, connection: Connection | None = None) -> Config:
    """An Alembic config for one service's migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, script_location: Path) -> None:
    if connection.dialect.name == "postgresql":
        lock_key = zlib.crc32(str(script_location.parent.name).encode())
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
    command.upgrade(alembic_config(script_location, connection), "head")


async def upgrade_to_head(engine: AsyncEngine, script_location: Path) -> None:
    """Apply every pending migration of the service in one transaction."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, script_location)


def run_env(target_metadata: MetaData, database_url: Callable[[], str]) -> None:
    """Body of each service's `env.py`: use the given connection, or open one from the URL."""
    config = context.config
    connection: Connection | None = config.attributes.get("connection")
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
    }
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(database_url(), options))


async def _run_online(database_url: str, options: dict[str, Any]) -> None:
    from shared.db import create_engine

    engine = create_engine(database_url)

    def _do(connection: Connection) -> None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()

    async with engine.begin() as conn:
        await conn.run_sync(_do)
    await engine.dispose()
