"""The period read model, fed by `period.*` events through the service's real consumer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import aio_pika
import pytest

from services.registration.app import periods
from services.registration.domain.rules import add_months
from services.registration.settings import RegistrationSettings
from shared.clock import SystemClock
from shared.contracts.scheduling import PeriodPublished, PeriodUpdated
from shared.events import Envelope, make_envelope
from shared.messaging.amqp import to_amqp_message
from tests.integration.registration_support import (
    YEAR,
    Env,
    form,
    registration_env,
    today,
)
from tests.support import eventually

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    async with registration_env(make_settings(RegistrationSettings), with_period=False) as env:
        await env.runtime.broker.wait_ready(10)
        yield env


def _period(number: int, *, closes_in_months: int, **extra: Any) -> dict[str, Any]:
    return {
        "period_id": uuid.uuid4(),
        "year": YEAR,
        "number": number,
        "starts_on": add_months(today(), 1),
        "ends_on": add_months(today(), 7),
        "registration_opens_on": add_months(today(), -1),
        "registration_closes_on": add_months(today(), closes_in_months),
        **extra,
    }


async def _publish(
    connection: aio_pika.abc.AbstractRobustConnection, exchange: str, envelope: Envelope
) -> None:
    channel = await connection.channel(publisher_confirms=True)
    ex = await channel.get_exchange(exchange)
    await ex.publish(to_amqp_message(envelope), routing_key=envelope.event_type, mandatory=True)
    await channel.close()


async def _closes_on(env: Env, number: int) -> date | None:
    async with env.runtime.uow() as uow:
        period = await uow.periods.get(year=YEAR, number=number)
    return period.registration_closes_on if period else None


async def test_a_published_period_opens_registration_and_an_update_closes_it(
    env: Env, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    before = await env.client.post("/v1/registrations", json=form(), headers=env.org_a)
    assert (before.status_code, before.json()["code"]) == (422, "period_not_open")

    info = _period(1, closes_in_months=1)
    published = make_envelope(PeriodPublished(**info), producer="scheduling")
    await _publish(amqp_connection, env.settings.exchange, published)
    await eventually(lambda: _closes_on(env, 1), what="the published period in the read model")
    assert (
        await env.client.post("/v1/registrations", json=form(), headers=env.org_a)
    ).status_code == 201

    closed_on = add_months(today(), -1) - timedelta(days=1)
    update = make_envelope(
        PeriodUpdated(**{**info, "registration_closes_on": closed_on}), producer="scheduling"
    )
    await _publish(amqp_connection, env.settings.exchange, update)

    async def closed() -> bool:
        return bool(await _closes_on(env, 1) == closed_on)

    await eventually(closed, what="the updated window")
    late = await env.client.post(
        "/v1/registrations", json=form(service="prescription"), headers=env.org_a
    )
    assert (late.status_code, late.json()["code"]) == (422, "period_not_open")


async def test_an_older_event_does_not_undo_a_newer_one(env: Env) -> None:
    info = _period(2, closes_in_months=1)
    now = SystemClock().now()
    newer = PeriodUpdated(**{**info, "registration_closes_on": add_months(today(), 2)})
    older = PeriodPublished(**info)
    async with env.runtime.uow() as uow:
        await periods.record_period(
            uow, newer, make_envelope(newer, producer="scheduling", occurred_at=now)
        )
        await periods.record_period(
            uow,
            older,
            make_envelope(older, producer="scheduling", occurred_at=now - timedelta(minutes=1)),
        )
        await uow.commit()
    assert await _closes_on(env, 2) == add_months(today(), 2)


async def test_a_renumbered_period_moves_in_the_read_model(env: Env) -> None:
    info = _period(1, closes_in_months=1)
    first = PeriodPublished(**info)
    renumbered = PeriodUpdated(**{**info, "number": 2})
    now = SystemClock().now()
    async with env.runtime.uow() as uow:
        await periods.record_period(
            uow, first, make_envelope(first, producer="scheduling", occurred_at=now)
        )
        await uow.commit()
    async with env.runtime.uow() as uow:
        await periods.record_period(
            uow,
            renumbered,
            make_envelope(
                renumbered, producer="scheduling", occurred_at=now + timedelta(seconds=1)
            ),
        )
        await uow.commit()
    assert await _closes_on(env, 1) is None
    assert await _closes_on(env, 2) == info["registration_closes_on"]
