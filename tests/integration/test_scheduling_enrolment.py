"""R2 over the real broker: accepted registrations are seated, seats freed and promoted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import aio_pika
import pytest
from sqlmodel import select

from services.scheduling.adapters.tables import Reminder
from shared.contracts.registration import RegistrationMoved, RegistrationWithdrawn
from tests.dates import iso, period_of_year, working_day
from tests.integration.scheduling_support import (
    OTHER_BUSINESS_ID,
    SESSION_DAY,
    YEAR,
    Service,
    accepted,
    add_session,
    body,
    contact,
    create_period,
    day_after,
    publish,
    publish_event,
    scheduling_service,
    with_state,
)
from tests.support import EventCatcher, catch_events, eventually

pytestmark = pytest.mark.asyncio

EVERYONE = {"services": None, "domains": None, "roles": None}


async def _calendar(service: Service, *, training_capacity: int = 1) -> dict[str, Any]:
    """A period with a preparation event in fi and sv and one Finnish training."""
    period = await create_period(service)
    sessions = {
        "prep_fi": await add_session(
            service, period["id"], kind="preparation", audience=EVERYONE, capacity=10
        ),
        "prep_sv": await add_session(
            service,
            period["id"],
            kind="preparation",
            audience=EVERYONE,
            language="sv",
            starts_at=iso(day_after(SESSION_DAY), "09:00"),
            ends_at=iso(day_after(SESSION_DAY), "12:00"),
        ),
        "training": await add_session(service, period["id"], capacity=training_capacity),
        "welfare": await add_session(
            service,
            period["id"],
            audience={"services": ["social_welfare_client_data_repository"]},
        ),
    }
    return {"period": period, **sessions}


async def _events(caught: EventCatcher, count: int) -> list[dict[str, Any]]:
    return [body(await caught.next(timeout=15)) for _ in range(count)]


async def test_r2_accepted_registration_seats_its_participants_and_waitlists_when_full(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        calendar = await _calendar(service)
        await publish(service, calendar["period"]["id"])
        tekninen, lasare = contact("Tekninen", "fi", "technical"), contact("Lasare", "sv", "reader")
        registration = accepted([tekninen, lasare])
        exchange = service.settings.exchange
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            await publish_event(amqp_connection, exchange, registration)
            events = await _events(caught, 4)

            by_key = {
                (e["payload"]["participant"]["name"], e["payload"]["session"]["session_id"]): e
                for e in events
            }
            assert set(by_key) == {
                ("Tekninen", calendar["prep_fi"]["id"]),
                ("Tekninen", calendar["training"]["id"]),
                ("Lasare", calendar["prep_sv"]["id"]),  # R12: the Swedish version for Lasare
                ("Lasare", calendar["training"]["id"]),  # only in Finnish: he gets that one
            }
            confirmed = by_key[("Tekninen", calendar["training"]["id"])]
            assert confirmed["event_type"] == "enrolment.confirmed"
            payload = confirmed["payload"]
            assert payload["participant"] == {
                "enrolment_id": payload["enrolment_id"],
                "registration_id": str(registration.registration_id),
                "name": "Tekninen",
                "email": str(tekninen.email),
                "language": "fi",
                "role": "technical",
                # 14.2: the person's own calendar entry, and that they hold a seat.
                "seat": "confirmed",
                "calendar_uid": payload["participant"]["calendar_uid"],
                "calendar_sequence": 0,
            }
            assert payload["participant"]["calendar_uid"] != calendar["training"]["uid"]
            assert payload["session"]["uid"] == calendar["training"]["uid"]
            assert payload["session"]["sequence"] == 0
            assert payload["feed_url"].startswith(service.settings.public_base_url + "/v1/feeds/")
            waiting = by_key[("Lasare", calendar["training"]["id"])]
            assert waiting["event_type"] == "enrolment.waitlisted"
            assert waiting["payload"]["position"] == 1
            assert by_key[("Lasare", calendar["prep_sv"]["id"])]["event_type"] == (
                "enrolment.confirmed"
            )
            async with service.runtime.sessions() as db:
                planned = list(await db.exec(select(Reminder)))
            assert len(planned) == 3 * 2  # three seats, 7 days and 1 day before each

            # The organisation sees its own participants' enrolments; another sees none.
            own = await service.client.get("/v1/enrolments", headers=service.organisation())
            assert len(own.json()) == 4
            theirs = await service.client.get(
                "/v1/enrolments", headers=service.organisation(OTHER_BUSINESS_ID)
            )
            assert theirs.json() == []
            stranger = await service.client.post(
                f"/v1/enrolments/{payload['enrolment_id']}/cancel",
                headers=service.organisation(OTHER_BUSINESS_ID),
            )
            assert (stranger.status_code, stranger.json()["code"]) == (404, "enrolment_not_found")

            # Tekninen gives up her seat: Lasare, first in line, is promoted into it.
            cancelled = await service.client.post(
                f"/v1/enrolments/{payload['enrolment_id']}/cancel",
                headers=service.organisation(),
            )
            assert cancelled.status_code == 200, cancelled.text
            assert cancelled.json()["status"] == "cancelled"
            cancel_event, promoted = await _events(caught, 2)
            assert cancel_event["event_type"] == "enrolment.cancelled"
            assert cancel_event["payload"]["reason"] == "cancelled_by_organisation"
            assert promoted["event_type"] == "enrolment.promoted"
            assert promoted["payload"]["participant"]["name"] == "Lasare"
            assert promoted["payload"]["enrolment_id"] == waiting["payload"]["enrolment_id"]

            seats = await service.client.get(
                f"/v1/sessions/{calendar['training']['id']}/participants", headers=service.staff
            )
            assert [(p["name"], p["status"]) for p in seats.json()] == [("Lasare", "confirmed")]

            # The registration is withdrawn: every remaining seat is freed.
            withdrawn = RegistrationWithdrawn.model_validate(
                {**with_state(registration, "withdrawn"), "previous_state": "accepted"}
            )
            await publish_event(amqp_connection, exchange, withdrawn)
            freed = await _events(caught, 3)
            assert {e["event_type"] for e in freed} == {"enrolment.cancelled"}
            assert {e["payload"]["reason"] for e in freed} == {"registration_withdrawn"}
            left = await service.client.get("/v1/enrolments", headers=service.organisation())
            assert {e["status"] for e in left.json()} == {"cancelled"}
            async with service.runtime.sessions() as db:
                assert list(await db.exec(select(Reminder))) == []  # none for cancelled seats

        known = await service.client.get(
            f"/v1/registrations/{registration.registration_id}", headers=service.organisation()
        )
        assert known.status_code == 200 and known.json()["state"] == "withdrawn"
        hidden = await service.client.get(
            f"/v1/registrations/{registration.registration_id}",
            headers=service.organisation(OTHER_BUSINESS_ID),
        )
        assert hidden.status_code == 404


async def test_r2_a_registration_accepted_before_the_sessions_are_published_is_seated_then(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        calendar = await _calendar(service, training_capacity=5)
        registration = accepted([contact("Ensimmainen")])
        exchange = service.settings.exchange
        await publish_event(amqp_connection, exchange, registration)
        staff = service.staff

        async def known() -> bool:
            response = await service.client.get(
                f"/v1/registrations/{registration.registration_id}", headers=staff
            )
            return response.status_code == 200 and response.json()["state"] == "accepted"

        await eventually(known, what="the accepted registration to be known")
        assert (await service.client.get("/v1/enrolments", headers=staff)).json() == []
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            await publish(service, calendar["period"]["id"])
            events = await _events(caught, 2)
        assert {e["event_type"] for e in events} == {"enrolment.confirmed"}
        assert {e["payload"]["session"]["session_id"] for e in events} == {
            calendar["prep_fi"]["id"],
            calendar["training"]["id"],
        }


async def test_r2_a_registration_moved_to_another_period_changes_seats(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        first = await _calendar(service, training_capacity=5)
        await publish(service, first["period"]["id"])
        second = await create_period(service, **period_of_year(YEAR, 2))
        later_day = working_day(date(YEAR, 5, 11))
        later = await add_session(
            service,
            second["id"],
            kind="preparation",
            audience=EVERYONE,
            starts_at=iso(later_day, "09:00"),
            ends_at=iso(later_day, "11:00"),
        )
        await publish(service, second["id"])
        registration = accepted([contact("Siirretty")])
        exchange = service.settings.exchange
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            await publish_event(amqp_connection, exchange, registration)
            assert len(await _events(caught, 2)) == 2
            moved = RegistrationMoved.model_validate(
                {
                    **with_state(registration, "accepted"),
                    "period": {"year": YEAR, "number": 2},
                    "from_period": {"year": YEAR, "number": 1},
                }
            )
            await publish_event(amqp_connection, exchange, moved)
            events = await _events(caught, 3)
        kinds = sorted((e["event_type"], e["payload"]["session"]["session_id"]) for e in events)
        assert kinds == sorted(
            [
                ("enrolment.cancelled", first["prep_fi"]["id"]),
                ("enrolment.cancelled", first["training"]["id"]),
                ("enrolment.confirmed", later["id"]),
            ]
        )
