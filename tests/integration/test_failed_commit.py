"""A commit the database refuses leaves nothing behind.

A deferred constraint trigger on PostgreSQL fails the transaction at COMMIT itself, after
every statement of the request succeeded: the API answers 503 `storage_unavailable`, and
neither the registration nor its outbox row exists. Then the same request succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select

from services.registration.adapters.tables import Registration
from services.registration.settings import RegistrationSettings
from tests.integration.registration_support import form, registration_env

pytestmark = pytest.mark.asyncio

FAIL_AT_COMMIT = """
CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the disk is full (simulated at commit)';
END $$;
CREATE CONSTRAINT TRIGGER refuse_outbox_at_commit AFTER INSERT ON outbox
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();
"""


async def test_a_failed_commit_leaves_no_registration_and_no_outbox_row(
    make_settings: Callable[..., Any], pg_databases: Any
) -> None:
    url = await pg_databases.create("commit")
    settings = make_settings(RegistrationSettings, database_url=url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    async with registration_env(settings) as env:

        async def counts() -> tuple[int, int]:
            async with env.runtime.engine.connect() as conn:
                registrations = await conn.execute(select(func.count()).select_from(Registration))
                outbox = env.runtime.tables.outbox
                events = await conn.execute(select(func.count()).select_from(outbox))
                return int(registrations.scalar_one()), int(events.scalar_one())

        before = await counts()
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(FAIL_AT_COMMIT)
            refused = await env.client.post("/v1/registrations", json=form(), headers=env.org_a)
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "storage_unavailable"
            assert refused.headers["retry-after"] == "5"
            assert await counts() == before
            await admin.execute("DROP TRIGGER refuse_outbox_at_commit ON outbox")
        finally:
            await admin.close()
        accepted = await env.client.post("/v1/registrations", json=form(), headers=env.org_a)
        assert accepted.status_code == 201, accepted.text
        assert await counts() == (before[0] + 1, before[1] + 1)
