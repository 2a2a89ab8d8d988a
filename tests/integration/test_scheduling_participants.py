"""Staff manage participants and period dates; automatic seating respects their choices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import aio_pika
import pytest

from shared.contracts.registration import RegistrationUpdated
from tests.dates import in_days, iso
from tests.integration.scheduling_support import (
    PERIOD,
    SESSION_DAY,
    accepted,
    add_session,
    body,
    contact,
    create_period,
    publish,
    publish_event,
    scheduling_service,
    with_state,
)
from tests.support import catch_events

pytestmark = pytest.mark.asyncio

EVERYONE = {"services": None, "domains": None, "roles": None}


async def test_staff_add_move_and_remove_participants_and_seats_follow(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        morning = await add_session(service, period["id"], capacity=1, audience=EVERYONE)
        await publish(service, period["id"])
        exchange = service.settings.exchange
        staff = service.staff
        yhteys = contact("Yhteys")
        registration = accepted([yhteys])
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            await publish_event(amqp_connection, exchange, registration)
            assert body(await caught.next(timeout=15))["event_type"] == "enrolment.confirmed"

            # A session added to a published period is live at once and seats the period's
            # accepted registrations.
            afternoon = await add_session(
                service,
                period["id"],
                capacity=1,
                audience=EVERYONE,
                kind="preparation",
                starts_at=iso(SESSION_DAY, "13:00"),
                ends_at=iso(SESSION_DAY, "15:00"),
            )
            assert afternoon["status"] == "scheduled"
            seated = body(await caught.next())
            assert seated["event_type"] == "enrolment.confirmed"
            assert seated["payload"]["session"]["session_id"] == afternoon["id"]

            added = await service.client.post(
                f"/v1/sessions/{morning['id']}/participants",
                json={
                    "registration_id": str(registration.registration_id),
                    "name": "Deltagare",
                    "email": "deltagare@example.fi",
                    "language": "sv",
                },
                headers=staff,
            )
            assert added.status_code == 201, added.text
            assert (added.json()["status"], added.json()["position"]) == ("waitlisted", 1)
            assert body(await caught.next())["event_type"] == "enrolment.waitlisted"

            (yhteys_morning,) = [
                e
                for e in (await service.client.get("/v1/enrolments", headers=staff)).json()
                if e["session_id"] == morning["id"] and e["email"] == str(yhteys.email)
            ]
            # Yhteys already has the afternoon's seat: moving her there is refused.
            refused = await service.client.post(
                f"/v1/enrolments/{yhteys_morning['id']}/move",
                json={"session_id": afternoon["id"]},
                headers=staff,
            )
            assert (refused.status_code, refused.json()["code"]) == (409, "already_enrolled")

            removed = await service.client.delete(
                f"/v1/sessions/{morning['id']}/participants/{yhteys_morning['id']}", headers=staff
            )
            assert removed.status_code == 200 and removed.json()["status"] == "cancelled"
            events = [body(await caught.next()), body(await caught.next())]
            assert [e["event_type"] for e in events] == [
                "enrolment.cancelled",
                "enrolment.promoted",
            ]
            assert events[1]["payload"]["participant"]["name"] == "Deltagare"

            deltagare = added.json()
            moved = await service.client.post(
                f"/v1/enrolments/{deltagare['id']}/move",
                json={"session_id": afternoon["id"]},
                headers=staff,
            )
            assert moved.status_code == 200, moved.text
            assert (moved.json()["session_id"], moved.json()["status"]) == (
                afternoon["id"],
                "waitlisted",
            )
            moves = [body(await caught.next()), body(await caught.next())]
            assert sorted(e["event_type"] for e in moves) == [
                "enrolment.cancelled",
                "enrolment.waitlisted",
            ]

            # The registration is updated while accepted: Yhteys, removed from the morning on
            # purpose, is not seated there again.
            updated = RegistrationUpdated.model_validate(
                {**with_state(registration, "accepted"), "previous_state": "accepted"}
            )
            await publish_event(amqp_connection, exchange, updated)
            assert await caught.drain(quiet_for=1.0) == []
        morning_list = (
            await service.client.get(f"/v1/sessions/{morning['id']}/participants", headers=staff)
        ).json()
        assert morning_list == []


async def test_staff_change_a_published_periods_dates_and_period_updated_is_emitted(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        url = f"/v1/periods/{period['id']}"
        starts_on, ends_on = (date.fromisoformat(PERIOD[k]) for k in ("starts_on", "ends_on"))
        new_end = in_days(7, start=ends_on).isoformat()
        new_close = in_days(49, start=starts_on).isoformat()
        too_late = in_days(32, start=ends_on).isoformat()
        draft_change = await service.client.patch(
            url, json={"ends_on": new_end}, headers=service.staff
        )
        assert draft_change.json()["ends_on"] == new_end
        await publish(service, period["id"])
        async with catch_events(
            amqp_connection, service.settings.exchange, "period.updated"
        ) as caught:
            changed = await service.client.patch(
                url, json={"registration_closes_on": new_close}, headers=service.staff
            )
            assert changed.status_code == 200, changed.text
            event = body(await caught.next())
        assert event["payload"]["registration_closes_on"] == new_close
        assert event["payload"]["ends_on"] == new_end
        wrong = await service.client.patch(
            url, json={"registration_closes_on": too_late}, headers=service.staff
        )
        assert (wrong.status_code, wrong.json()["code"]) == (422, "registration_window_invalid")
        seen = await service.client.get(url, headers=service.organisation())
        assert seen.json()["registration_closes_on"] == new_close
        session = await add_session(service, period["id"])
        cancelled = await service.client.post(
            f"/v1/sessions/{session['id']}/cancel", headers=service.staff
        )
        assert cancelled.status_code == 200 and cancelled.json()["sequence"] == 1
