"""#14.1: seats are a function of the current state, through the one reconcile step (R2).

Each test drives the running service with registration events over the real broker (each
applied before the next is sent) and checks the seats the state gives: a registration that
leaves `accepted` frees them, a period change moves them, a contact removed loses them, an
older snapshot arriving late changes nothing, and a language version added later does not
seat anyone twice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import aio_pika
import pytest
from sqlmodel import select

from shared.contracts.registration import RegistrationEvent
from shared.events import make_envelope, payload_model
from shared.messaging.amqp import to_amqp_message
from tests.dates import iso, period_of_year, session_day
from tests.integration.scheduling_support import (
    SESSION_DAY,
    YEAR,
    Service,
    accepted,
    add_session,
    contact,
    create_period,
    day_after,
    publish,
    scheduling_service,
)
from tests.support import eventually

pytestmark = pytest.mark.asyncio

EVERYONE = {"services": None, "domains": None, "roles": None}


def snapshot(
    base: RegistrationEvent, event_type: str, *, revision: int, **changes: Any
) -> RegistrationEvent:
    """`base` as the event `event_type` with `revision` and the fields changed."""
    extras: dict[str, dict[str, Any]] = {
        "registration.updated": {"previous_state": "accepted"},
        "registration.withdrawn": {"previous_state": "accepted"},
        "registration.rejected": {"note": "Not this period."},
        "registration.moved": {"from_period": {"year": YEAR, "number": 1}},
        "registration.deployed": {"deployed_on": SESSION_DAY.isoformat()},
    }
    extra = extras.get(event_type, {})
    state = {
        "registration.updated": "submitted",
        "registration.accepted": "accepted",
        "registration.rejected": "rejected",
        "registration.withdrawn": "withdrawn",
        "registration.moved": "moved",
        "registration.deployed": "deployed",
    }[event_type]
    body = {
        **base.model_dump(mode="json"),
        "state": state,
        "revision": revision,
        **extra,
        **changes,
    }
    payload = payload_model(event_type, 1).model_validate(body)
    assert isinstance(payload, RegistrationEvent)
    return payload


async def apply(
    service: Service,
    connection: aio_pika.abc.AbstractRobustConnection,
    payload: RegistrationEvent,
) -> None:
    """Publish the event as registration's relay would, and wait until scheduling applied it."""
    envelope = make_envelope(payload, producer="registration")
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(service.settings.exchange)
    await exchange.publish(to_amqp_message(envelope), routing_key=envelope.event_type)
    await channel.close()
    inbox = service.runtime.tables.inbox

    async def applied() -> bool:
        async with service.runtime.sessions() as db:
            found = await db.exec(
                select(inbox.c.event_id).where(inbox.c.event_id == envelope.event_id)
            )
            return found.first() is not None

    await eventually(applied, what=f"{envelope.event_type} r{payload.revision} to be applied")


async def live(service: Service, registration_id: uuid.UUID) -> list[tuple[str, str, str]]:
    """(session id, email, status) of the registration's confirmed and waiting seats."""
    response = await service.client.get(
        "/v1/enrolments", params={"registration_id": str(registration_id)}, headers=service.staff
    )
    assert response.status_code == 200, response.text
    return sorted(
        (e["session_id"], e["email"], e["status"])
        for e in response.json()
        if e["status"] in ("confirmed", "waitlisted")
    )


async def _calendar(service: Service, **period: Any) -> dict[str, Any]:
    """A published period with a Finnish preparation event for everyone and a training."""
    created = await create_period(service, **period)
    day = session_day(created)
    times = {"starts_at": iso(day, "09:00"), "ends_at": iso(day, "12:00")}
    prep = await add_session(service, created["id"], kind="preparation", audience=EVERYONE, **times)
    training = await add_session(service, created["id"], capacity=1, **times)
    await publish(service, created["id"])
    return {"period": created, "prep": prep, "training": training}


async def test_r2_a_registration_rejected_after_an_edit_frees_its_seats(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        calendar = await _calendar(service)
        first = accepted([contact("Tekninen"), contact("Lukija")])
        await apply(service, amqp_connection, snapshot(first, "registration.accepted", revision=1))
        assert len(await live(service, first.registration_id)) == 4
        edited = snapshot(first, "registration.updated", revision=2, changed=["contacts"])
        await apply(service, amqp_connection, edited)
        rejected = snapshot(first, "registration.rejected", revision=3)
        await apply(service, amqp_connection, rejected)
        assert await live(service, first.registration_id) == []
        # Its freed training seat went to nobody else's loss: the session is empty again.
        session = await service.client.get(
            f"/v1/sessions/{calendar['training']['id']}", headers=service.staff
        )
        assert (session.json()["seats_taken"], session.json()["waiting"]) == (0, 0)


async def test_r2_a_period_changed_by_an_edit_moves_the_seats_out_of_the_old_period(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        one = await _calendar(service)
        two = await _calendar(service, **period_of_year(YEAR, 2))
        registration = accepted([contact("Tekninen")])
        await apply(
            service, amqp_connection, snapshot(registration, "registration.accepted", revision=1)
        )
        in_two = {"period": {"year": YEAR, "number": 2}}
        for event_type, revision in (("registration.updated", 2), ("registration.accepted", 3)):
            await apply(
                service,
                amqp_connection,
                snapshot(registration, event_type, revision=revision, **in_two),
            )
        held = {session for session, _, _ in await live(service, registration.registration_id)}
        assert held == {two["prep"]["id"], two["training"]["id"]}
        assert not held & {one["prep"]["id"], one["training"]["id"]}


async def test_r2_a_contact_removed_by_an_edit_loses_its_seats_and_is_never_promoted(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        calendar = await _calendar(service)
        stays, leaves = contact("Pysyy"), contact("Lahtee")
        mine = accepted([stays, leaves])
        other = accepted([contact("Muu")], business_id="0204819-8")
        await apply(service, amqp_connection, snapshot(other, "registration.accepted", revision=1))
        await apply(service, amqp_connection, snapshot(mine, "registration.accepted", revision=1))
        # The training (one seat) is the other organisation's; both of mine wait for it.
        waiting = [s for s in await live(service, mine.registration_id) if s[2] == "waitlisted"]
        assert {email for _, email, _ in waiting} == {str(stays.email), str(leaves.email)}
        only = {"contacts": [stays.model_dump(mode="json")]}
        await apply(
            service, amqp_connection, snapshot(mine, "registration.updated", revision=2, **only)
        )
        await apply(
            service, amqp_connection, snapshot(mine, "registration.accepted", revision=3, **only)
        )
        await apply(service, amqp_connection, snapshot(other, "registration.withdrawn", revision=2))
        seats = await live(service, mine.registration_id)
        assert str(leaves.email) not in {email for _, email, _ in seats}
        assert (calendar["training"]["id"], str(stays.email), "confirmed") in seats


async def test_an_older_snapshot_retried_after_a_newer_one_changes_nothing(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        await _calendar(service)
        registration = accepted([contact("Tekninen")])
        accepted_r1 = snapshot(registration, "registration.accepted", revision=1)
        await apply(service, amqp_connection, accepted_r1)
        await apply(
            service, amqp_connection, snapshot(registration, "registration.withdrawn", revision=2)
        )
        assert await live(service, registration.registration_id) == []
        await apply(service, amqp_connection, accepted_r1)  # a retry that arrives late
        assert await live(service, registration.registration_id) == []
        known = await service.client.get(
            f"/v1/registrations/{registration.registration_id}", headers=service.staff
        )
        assert known.json()["state"] == "withdrawn"


async def test_r12_a_language_version_added_after_publishing_seats_nobody_twice(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        calendar = await _calendar(service)
        lasare, tekninen = contact("Lasare", "sv"), contact("Tekninen", "fi")
        registration = accepted([lasare, tekninen])
        await apply(
            service, amqp_connection, snapshot(registration, "registration.accepted", revision=1)
        )
        swedish = await add_session(
            service,
            calendar["period"]["id"],
            kind="preparation",
            audience=EVERYONE,
            language="sv",
            starts_at=iso(day_after(SESSION_DAY), "09:00"),
            ends_at=iso(day_after(SESSION_DAY), "12:00"),
        )
        preparations = {calendar["prep"]["id"], swedish["id"]}
        seats = await live(service, registration.registration_id)
        held = {(email, s) for s, email, _ in seats if s in preparations}
        # One preparation event each: in their language where it exists (R12), else Finnish.
        assert held == {
            (str(lasare.email), swedish["id"]),
            (str(tekninen.email), calendar["prep"]["id"]),
        }


async def test_r2_a_deployed_registration_shows_its_real_state(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        await _calendar(service)
        registration = accepted([contact("Tekninen")])
        await apply(
            service, amqp_connection, snapshot(registration, "registration.accepted", revision=1)
        )
        await apply(
            service, amqp_connection, snapshot(registration, "registration.deployed", revision=2)
        )
        known = await service.client.get(
            f"/v1/registrations/{registration.registration_id}", headers=service.staff
        )
        assert known.json()["state"] == "deployed"


async def test_two_concurrent_moves_of_one_enrolment_leave_one_seat(
    make_settings: Callable[..., Any],
    amqp_connection: aio_pika.abc.AbstractRobustConnection,
    pg_databases: Any,
) -> None:
    url = await pg_databases.create("sched_moves")
    async with scheduling_service(make_settings, database_url=url) as service:
        calendar = await _calendar(service)
        period_id = calendar["period"]["id"]
        welfare = {"services": ["social_welfare_client_data_repository"]}
        targets = [
            await add_session(
                service,
                period_id,
                audience=welfare,  # nobody's by the rules: only staff's moves fill them
                starts_at=iso(day, "09:00"),
                ends_at=iso(day, "12:00"),
            )
            for day in (day_after(SESSION_DAY, 2), day_after(SESSION_DAY, 4))
        ]
        for attempt in range(4):
            registration = accepted([contact(f"Siirto{attempt}")])
            await apply(
                service,
                amqp_connection,
                snapshot(registration, "registration.accepted", revision=1),
            )
            (enrolment,) = [
                e
                for e in (
                    await service.client.get(
                        "/v1/enrolments",
                        params={"registration_id": str(registration.registration_id)},
                        headers=service.staff,
                    )
                ).json()
                if e["session_id"] == calendar["prep"]["id"]
            ]
            path = f"/v1/enrolments/{enrolment['id']}/move"
            results = await asyncio.gather(
                *(
                    service.client.post(path, json={"session_id": t["id"]}, headers=service.staff)
                    for t in targets
                )
            )
            assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
            held = [
                s
                for s, _, _ in await live(service, registration.registration_id)
                if s in {calendar["prep"]["id"], *(t["id"] for t in targets)}
            ]
            assert len(held) == 1, held
