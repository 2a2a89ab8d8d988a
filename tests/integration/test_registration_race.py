"""Concurrent requests on PostgreSQL: the duplicate rule and Idempotency-Key hold under races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.registration.settings import RegistrationSettings
from tests.integration.registration_support import Env, form, registration_env

pytestmark = pytest.mark.asyncio

PARALLEL = 8


@pytest.fixture
async def env(make_settings: Callable[..., Any], pg_databases: Any) -> AsyncIterator[Env]:
    url = await pg_databases.create("reg_race")
    settings = make_settings(RegistrationSettings, database_url=url, db_pool_size=PARALLEL)
    async with registration_env(settings) as env:
        yield env


async def test_parallel_duplicates_give_one_registration_and_409s_naming_it(env: Env) -> None:
    responses = await asyncio.gather(
        *(
            env.client.post("/v1/registrations", json=form(), headers=env.org_a)
            for _ in range(PARALLEL)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), [r.text for r in responses]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "duplicate_registration"
            assert response.json()["registration_id"] == winner
    assert await env.counts() == (1, 1, 1)


async def test_parallel_retries_with_one_idempotency_key_give_one_answer(env: Env) -> None:
    headers = {**env.org_a, "Idempotency-Key": "retry-storm"}
    responses = await asyncio.gather(
        *(
            env.client.post("/v1/registrations", json=form(), headers=headers)
            for _ in range(PARALLEL)
        )
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await env.counts() == (1, 1, 1)
