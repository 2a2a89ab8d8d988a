"""#14.2–14.4: every participant's own calendar entry stays current, and staff can resend it.

Each enrolment is the person's entry (a stable `calendar_uid`, a `calendar_sequence` that
rises with every change the entry shows). The waiting list holds a maintained tentative
entry: reschedules and cancellations reach those waiting too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import pytest
import vobject  # type: ignore[import-untyped]

from tests.dates import helsinki, iso, next_year, period_of_year, session_day
from tests.integration.scheduling_support import (
    MEETING_URL,
    SESSION_DAY,
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
)
from tests.support import EventCatcher, catch_events

pytestmark = pytest.mark.asyncio


async def _seated(
    service: Service, connection: aio_pika.abc.AbstractRobustConnection
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A one-seat training: the first contact holds the seat, the second waits."""
    period = await create_period(service)
    training = await add_session(service, period["id"], capacity=1)
    await publish(service, period["id"])
    first, second = contact("Ensimmainen"), contact("Toinen")
    exchange = service.settings.exchange
    async with catch_events(connection, exchange, "enrolment.*") as caught:
        await publish_event(connection, exchange, accepted([first, second]))
        events = [body(await caught.next(timeout=15)) for _ in range(2)]
    by_email = {e["payload"]["participant"]["email"]: e for e in events}
    return training, {"first": by_email[str(first.email)], "second": by_email[str(second.email)]}


async def _next(
    caught: EventCatcher, count: int = 1, *, skip: tuple[str, ...] = ("session.published",)
) -> list[dict[str, Any]]:
    """The next `count` events, past any the relay still had pending from the setup."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        event = body(await caught.next(timeout=15))
        if event["event_type"] not in skip:
            found.append(event)
    return found


async def test_reschedules_and_cancellations_reach_the_waiting_list_with_rising_sequences(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        training, seated = await _seated(service, amqp_connection)
        first, second = seated["first"]["payload"], seated["second"]["payload"]
        assert seated["first"]["event_type"] == "enrolment.confirmed"
        assert seated["second"]["event_type"] == "enrolment.waitlisted"
        assert (first["participant"]["seat"], second["participant"]["seat"]) == (
            "confirmed",
            "waiting",
        )
        assert first["participant"]["calendar_uid"] != second["participant"]["calendar_uid"]
        url = f"/v1/sessions/{training['id']}"
        exchange = service.settings.exchange
        async with catch_events(amqp_connection, exchange, "session.*") as caught:
            # Not shown by a calendar: no message, no new SEQUENCE.
            wider = {"services": ["patient_data_repository", "prescription"]}
            response = await service.client.patch(
                url, json={"audience": wider}, headers=service.staff
            )
            assert response.status_code == 200, response.text
            moved = await service.client.patch(
                url, json={"place": "Kela, Helsinki"}, headers=service.staff
            )
            assert moved.status_code == 200, moved.text
            (rescheduled,) = await _next(caught)
            assert rescheduled["event_type"] == "session.rescheduled"
            told = {p["email"]: p for p in rescheduled["payload"]["participants"]}
            # 14.2: the waiting participant's tentative entry is updated too.
            assert {p["seat"] for p in told.values()} == {"confirmed", "waiting"}
            for payload in (first, second):
                mine = told[payload["participant"]["email"]]
                assert mine["calendar_uid"] == payload["participant"]["calendar_uid"]
                assert mine["calendar_sequence"] == 1
            retitled = await service.client.patch(
                url, json={"title": {"fi": "Uusi nimi", "sv": "Nytt namn"}}, headers=service.staff
            )
            assert retitled.status_code == 200
            (renamed,) = await _next(caught)
            assert set(renamed["payload"]["changes"]) == {"title"}
            assert {p["calendar_sequence"] for p in renamed["payload"]["participants"]} == {2}

            gone = await service.client.post(f"{url}/cancel", headers=service.staff)
            assert gone.status_code == 200
            (cancelled,) = await _next(caught)
        assert cancelled["event_type"] == "session.cancelled"
        affected = {p["email"]: p for p in cancelled["payload"]["participants"]}
        assert {p["seat"] for p in affected.values()} == {"confirmed", "waiting"}
        assert {p["calendar_sequence"] for p in affected.values()} == {3}
        # Staff still see who was affected: their enrolments, cancelled.
        listed = await service.client.get(f"{url}/participants", headers=service.staff)
        assert sorted(p["email"] for p in listed.json()) == sorted(affected)
        assert {p["status"] for p in listed.json()} == {"cancelled"}


async def test_a_per_person_cancel_raises_the_sequence_and_a_promotion_too(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        _, seated = await _seated(service, amqp_connection)
        first = seated["first"]["payload"]
        exchange = service.settings.exchange
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            response = await service.client.post(
                f"/v1/enrolments/{first['enrolment_id']}/cancel", headers=service.organisation()
            )
            assert response.status_code == 200, response.text
            events = {e["event_type"]: e["payload"] for e in await _next(caught, 2)}
        cancel = events["enrolment.cancelled"]["participant"]
        assert (cancel["calendar_uid"], cancel["calendar_sequence"]) == (
            first["participant"]["calendar_uid"],
            1,
        )
        promoted = events["enrolment.promoted"]["participant"]
        assert (promoted["seat"], promoted["calendar_sequence"]) == ("confirmed", 1)


async def test_staff_resend_a_sessions_invitations_from_its_current_state(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        training, _ = await _seated(service, amqp_connection)
        later = day_after(SESSION_DAY, 2)
        change = {"starts_at": iso(later, "10:00"), "ends_at": iso(later, "13:00")}
        moved = await service.client.patch(
            f"/v1/sessions/{training['id']}", json=change, headers=service.staff
        )
        assert moved.status_code == 200, moved.text
        exchange = service.settings.exchange
        path = f"/v1/sessions/{training['id']}/invitations/resend"
        refused = await service.client.post(path, headers=service.organisation())
        assert refused.status_code == 403
        async with catch_events(amqp_connection, exchange, "enrolment.*") as caught:
            response = await service.client.post(path, headers=service.staff)
            assert response.status_code == 200, response.text
            assert (response.json()["confirmed"], response.json()["waiting"]) == (1, 1)
            events = {e["event_type"]: e["payload"] for e in await _next(caught, 2)}
        for event_type in ("enrolment.confirmed", "enrolment.waitlisted"):
            payload = events[event_type]
            assert payload["resend"] is True
            assert payload["session"]["starts_at"] == helsinki(later, "10:00").astimezone(
                UTC
            ).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert payload["participant"]["calendar_sequence"] == 1  # the current one
        assert events["enrolment.waitlisted"]["position"] == 1


@pytest.mark.parametrize("season", ["winter", "summer"])
async def test_r1_session_files_carry_a_rule_based_vtimezone_read_alike_by_vobject(
    make_settings: Callable[..., Any], season: str
) -> None:
    """14.3: no RDATE; an independent parser gives the instant zoneinfo gives."""
    async with scheduling_service(make_settings) as service:
        number = 1 if season == "winter" else 2
        body_ = period_of_year(next_year(), number)
        period = await create_period(service, **body_)
        day = session_day(body_, offset_days=30 if season == "summer" else 21)
        session = await add_session(
            service,
            period["id"],
            kind="preparation",
            audience={"services": None, "domains": None, "roles": None},
            starts_at=iso(day, "09:00"),
            ends_at=iso(day, "12:00"),
            online_url=MEETING_URL,
        )
        response = await service.client.get(
            f"/v1/sessions/{session['id']}.ics", headers=service.staff
        )
        assert response.status_code == 200
        text = response.text
        assert "RDATE" not in text and "RRULE:FREQ=YEARLY" in text
        parsed = vobject.readOne(text)
        start: datetime = parsed.vevent.dtstart.value
        assert start.astimezone(UTC) == helsinki(day, "09:00").astimezone(UTC)
        offset = helsinki(day, "09:00").utcoffset()
        assert offset is not None and offset.total_seconds() == (
            3 * 3600 if season == "summer" else 2 * 3600
        )


async def test_feed_entries_are_the_persons_own_and_waiting_ones_are_tentative(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        _, seated = await _seated(service, amqp_connection)
        second = seated["second"]["payload"]
        feed = await service.client.get(urlsplit(second["feed_url"]).path)
        assert feed.status_code == 200
        parsed = vobject.readOne(feed.text)
        assert parsed.vevent.uid.value == second["participant"]["calendar_uid"]
        assert parsed.vevent.status.value == "TENTATIVE"
