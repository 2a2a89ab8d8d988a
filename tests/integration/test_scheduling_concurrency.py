"""Hard capacity under concurrency, and reminders sent once with two replicas running."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from sqlmodel import select

from services.scheduling.adapters.tables import Reminder
from shared.contracts.common import PeriodRef
from tests.dates import now, period_body
from tests.integration.scheduling_support import (
    Service,
    accepted,
    add_session,
    body,
    contact,
    create_period,
    publish,
    publish_event,
    scheduling_service,
)
from tests.support import catch_events, eventually

pytestmark = pytest.mark.asyncio


async def _known_registration(
    service: Service, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> uuid.UUID:
    """A registration scheduling has learnt: accepted for the period (R2: staff add
    participants only to registrations that hold seats in it), for a service whose
    contacts no session of the tests seats."""
    payload = accepted([contact("Yhteys")], service="sw_phase_1_documents", domain="social_welfare")
    await publish_event(amqp_connection, service.settings.exchange, payload)
    path = f"/v1/registrations/{payload.registration_id}"

    async def known() -> bool:
        response = await service.client.get(path, headers=service.staff)
        return response.status_code == 200

    await eventually(known, what="the registration to be known")
    return payload.registration_id


@pytest.fixture(params=["postgresql", "sqlite"])
async def database_url(request: pytest.FixtureRequest, pg_databases: Any, tmp_path: Path) -> str:
    """One database for every replica of the test, on each backend."""
    if request.param == "postgresql":
        url: str = await pg_databases.create("sched")
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'scheduling.db'}"


async def test_parallel_enrolments_never_overbook_and_promote_in_line_order(
    make_settings: Callable[..., Any],
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
    database_url: str,
) -> None:
    async with scheduling_service(make_settings, database_url=database_url) as service:
        period = await create_period(service)
        session = await add_session(service, period["id"], capacity=3)
        await publish(service, period["id"])
        registration_id = await _known_registration(service, amqp_connection)
        url = f"/v1/sessions/{session['id']}/participants"
        staff = service.staff

        async def enrol(number: int) -> dict[str, Any]:
            person = {
                "registration_id": str(registration_id),
                "name": f"Person {number}",
                "email": f"person-{number}@example.fi",
            }
            response = await service.client.post(url, json=person, headers=staff)
            assert response.status_code == 201, response.text
            result: dict[str, Any] = response.json()
            return result

        results = await asyncio.gather(*(enrol(n) for n in range(12)))
        confirmed = [r for r in results if r["status"] == "confirmed"]
        waiting = [r for r in results if r["status"] == "waitlisted"]
        assert len(confirmed) == 3 and len(waiting) == 9

        listed = (await service.client.get(url, headers=staff)).json()
        line = [p for p in listed if p["status"] == "waitlisted"]
        assert [p["position"] for p in line] == list(range(1, 10))
        duplicate = await service.client.post(
            url,
            json={
                "registration_id": str(registration_id),
                "name": "P",
                "email": "person-0@example.fi",
            },
            headers=staff,
        )
        assert (duplicate.status_code, duplicate.json()["code"]) == (409, "already_enrolled")

        # Two seats freed at once: exactly the first two in line move up.
        await asyncio.gather(
            *(
                service.client.post(f"/v1/enrolments/{c['id']}/cancel", headers=staff)
                for c in confirmed[:2]
            )
        )
        after = (await service.client.get(url, headers=staff)).json()
        seated = {p["id"] for p in after if p["status"] == "confirmed"}
        assert seated == {confirmed[2]["id"], line[0]["id"], line[1]["id"]}
        assert [p["position"] for p in after if p["status"] == "waitlisted"] == list(range(1, 8))

        # More capacity promotes the next in line; less than the seated is refused.
        grown = await service.client.patch(
            f"/v1/sessions/{session['id']}", json={"capacity": 4}, headers=staff
        )
        assert grown.json()["seats_taken"] == 4 and grown.json()["waiting"] == 6
        shrunk = await service.client.patch(
            f"/v1/sessions/{session['id']}", json={"capacity": 2}, headers=staff
        )
        assert (shrunk.status_code, shrunk.json()["code"]) == (422, "capacity_below_confirmed")


async def test_each_reminder_goes_out_once_with_two_replicas_running(
    make_settings: Callable[..., Any],
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
    database_url: str,
) -> None:
    starts = now().replace(microsecond=0) + timedelta(hours=1)
    # A week before is already past: that reminder is never planned. The other falls due
    # a few seconds from now.
    offsets = [timedelta(days=7), timedelta(hours=1) - timedelta(seconds=4)]
    settings: dict[str, Any] = {
        "database_url": database_url,
        "reminder_offsets": offsets,
        "reminder_poll_interval_s": 0.1,
    }
    async with (
        scheduling_service(make_settings, **settings) as first,
        scheduling_service(make_settings, **settings) as second,
    ):
        # A period under way: it started ten days ago and its window is still open.
        period = await create_period(first, **period_body(number=1, starts_in=-10))
        session = await add_session(
            first,
            period["id"],
            kind="preparation",
            audience={"services": None, "domains": None, "roles": None},
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=2)).isoformat(),
            confirm_holiday=True,
        )
        await publish(first, period["id"])
        people = [contact(f"Person{n}") for n in range(6)]
        exchange = first.settings.exchange
        registration = accepted(people, period=PeriodRef(year=period["year"], number=1))
        async with catch_events(amqp_connection, exchange, "session.reminder_due") as caught:
            await publish_event(amqp_connection, exchange, registration)
            reminders = [body(await caught.next(timeout=20)) for _ in people]
            extra = await caught.drain(quiet_for=1.0)
        assert extra == []
        assert sorted(r["payload"]["participant"]["email"] for r in reminders) == sorted(
            str(p.email) for p in people
        )
        assert {r["payload"]["offset"] for r in reminders} == {"PT59M56S"}
        assert all(r["payload"]["feed_url"] for r in reminders)
        assert {r["payload"]["session"]["session_id"] for r in reminders} == {session["id"]}
        async with second.runtime.sessions() as db:
            rows = list(await db.exec(select(Reminder)))
        assert len(rows) == len(people)  # one per participant: the past 7-day one was not made
        assert all(r.sent_at is not None for r in rows)
