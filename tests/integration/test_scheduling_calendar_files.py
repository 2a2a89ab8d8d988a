"""Reschedules and cancellations: events, reminder times, and the .ics files parsed back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import icalendar
import pytest
from sqlmodel import col, select

from services.scheduling.adapters.tables import Reminder
from tests.dates import helsinki, in_days, iso, working_day
from tests.integration.scheduling_support import (
    MEETING_URL,
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
    utc_z,
)
from tests.support import catch_events

pytestmark = pytest.mark.asyncio

MOVED_DAY = working_day(date(YEAR, 4, 6))
"""Where the training moves: a working day in April, after the change to summer time."""
SECOND_DAY = day_after(SESSION_DAY, 7)


def _reminder_at(day: date, at: str, days_before: int) -> datetime:
    """A whole-day reminder keeps the Helsinki wall-clock time, across DST too."""
    return helsinki(in_days(-days_before, start=day), at).astimezone(UTC)


async def _ics(service: Service, path: str, headers: dict[str, str] | None = None) -> Any:
    response = await service.client.get(path, headers=headers or service.organisation())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _only_event(calendar: Any) -> Any:
    (event,) = calendar.walk("VEVENT")
    return event


async def _reminders(service: Service) -> list[datetime]:
    async with service.runtime.sessions() as session:
        rows = await session.exec(select(Reminder).order_by(col(Reminder.due_at)))
        return [r.due_at for r in rows]


async def test_reschedule_emits_old_and_new_moves_reminders_and_raises_the_sequence(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        session = await add_session(service, period["id"], capacity=5)
        await publish(service, period["id"])
        exchange = service.settings.exchange
        osallistuja = contact("Osallistuja")
        async with catch_events(
            amqp_connection, exchange, "enrolment.*", "session.rescheduled", "session.cancelled"
        ) as caught:
            await publish_event(amqp_connection, exchange, accepted([osallistuja]))
            confirmed = body(await caught.next(timeout=15))
            assert confirmed["event_type"] == "enrolment.confirmed"

            # Reminders: 7 days and 1 day before 09:00 Helsinki on the session's day.
            assert await _reminders(service) == [
                _reminder_at(SESSION_DAY, "09:00", 7),
                _reminder_at(SESSION_DAY, "09:00", 1),
            ]
            before = _only_event(await _ics(service, f"/v1/sessions/{session['id']}.ics"))
            assert int(before["SEQUENCE"]) == 0

            moved = await service.client.patch(
                f"/v1/sessions/{session['id']}",
                json={
                    "starts_at": iso(MOVED_DAY, "10:00"),
                    "ends_at": iso(MOVED_DAY, "13:00"),
                    "place": "Kela, Nordenskiöldinkatu 12, Helsinki",
                },
                headers=service.staff,
            )
            assert moved.status_code == 200, moved.text
            assert moved.json()["sequence"] == 1
            assert moved.json()["starts_at"] == iso(MOVED_DAY, "10:00")
            rescheduled = body(await caught.next(timeout=15))

        assert rescheduled["event_type"] == "session.rescheduled"
        payload = rescheduled["payload"]
        assert payload["changes"] == {
            "starts_at": {"old": utc_z(SESSION_DAY, "09:00"), "new": utc_z(MOVED_DAY, "10:00")},
            "ends_at": {"old": utc_z(SESSION_DAY, "12:00"), "new": utc_z(MOVED_DAY, "13:00")},
            "place": {"old": None, "new": "Kela, Nordenskiöldinkatu 12, Helsinki"},
        }
        assert payload["session"]["sequence"] == 1
        assert [p["email"] for p in payload["participants"]] == [str(osallistuja.email)]
        # New reminder times: 10:00 Helsinki (EEST after the DST change) 7 days and 1 day before.
        assert await _reminders(service) == [
            _reminder_at(MOVED_DAY, "10:00", 7),
            _reminder_at(MOVED_DAY, "10:00", 1),
        ]

        calendar = await _ics(service, f"/v1/sessions/{session['id']}.ics")
        event = _only_event(calendar)
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["PRODID"]).startswith("-//Kela//")
        assert str(calendar["METHOD"]) == "PUBLISH"
        (zone,) = calendar.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "Europe/Helsinki"
        assert str(event["UID"]) == session["uid"] == str(before["UID"])
        assert int(event["SEQUENCE"]) == 1
        starts, ends = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
        assert starts == helsinki(MOVED_DAY, "10:00")
        assert ends - starts == timedelta(hours=3)
        assert str(event["SUMMARY"]) == "Toimintamallikoulutus"
        assert str(event["LOCATION"]) == "Kela, Nordenskiöldinkatu 12, Helsinki"
        assert str(event["URL"]) == MEETING_URL
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["ORGANIZER"]) == "mailto:kayttoonotot@kanta.example"
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert "Utbildning i verksamhetsmodeller" in str(event["DESCRIPTION"])

        # The participant's own feed (no access token: the token in the URL is the key).
        feed_path = urlsplit(confirmed["payload"]["feed_url"]).path
        feed = _only_event(await _ics(service, feed_path, headers={}))
        # 14.2: the feed shows the person's own entry (their UID; SEQUENCE 0 → 1 on the move).
        own = confirmed["payload"]["participant"]
        assert str(feed["UID"]) == own["calendar_uid"] != session["uid"]
        assert int(feed["SEQUENCE"]) == 1
        wrong = await service.client.get("/v1/feeds/" + "0" * 64 + ".ics")
        assert (wrong.status_code, wrong.json()["code"]) == (404, "feed_not_found")

        async with catch_events(amqp_connection, exchange, "session.cancelled") as caught:
            gone = await service.client.post(
                f"/v1/sessions/{session['id']}/cancel",
                json={"note": "The trainer fell ill."},
                headers=service.staff,
            )
            assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
            cancelled = body(await caught.next(timeout=15))
        assert cancelled["payload"]["note"] == "The trainer fell ill."
        assert cancelled["payload"]["session"]["status"] == "cancelled"
        assert [p["email"] for p in cancelled["payload"]["participants"]] == [
            str(osallistuja.email)
        ]
        assert await _reminders(service) == []
        event = _only_event(await _ics(service, f"/v1/sessions/{session['id']}.ics"))
        assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 2)
        feed = _only_event(await _ics(service, feed_path, headers={}))
        assert str(feed["STATUS"]) == "CANCELLED"
        again = await service.client.patch(
            f"/v1/sessions/{session['id']}", json={"capacity": 9}, headers=service.staff
        )
        assert (again.status_code, again.json()["code"]) == (409, "session_cancelled")


async def test_every_change_raises_the_sequence_and_the_period_file_lists_published_sessions(
    make_settings: Callable[..., Any], amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    async with scheduling_service(make_settings) as service:
        period = await create_period(service)
        first = await add_session(service, period["id"])
        second = await add_session(
            service,
            period["id"],
            language="sv",
            title={"fi": "Koulutus", "sv": "Utbildning", "en": "Training"},
            starts_at=iso(SECOND_DAY, "13:00"),
            ends_at=iso(SECOND_DAY, "15:00"),
            online_url=None,
            place="FPA, Vasa",
        )
        url = f"/v1/sessions/{first['id']}"
        for number, change in enumerate(
            [{"capacity": 40}, {"title": {"fi": "Uusi", "sv": "Ny"}}, {"capacity": 40}], start=1
        ):
            response = await service.client.patch(url, json=change, headers=service.staff)
            assert response.status_code == 200
            assert response.json()["sequence"] == min(number, 2)  # no change, no new sequence
        draft = await service.client.get(
            f"/v1/periods/{period['id']}/calendar.ics", headers=service.organisation()
        )
        assert draft.status_code == 404
        staff_view = await _ics(service, f"/v1/periods/{period['id']}/calendar.ics", service.staff)
        assert {str(e["STATUS"]) for e in staff_view.walk("VEVENT")} == {"TENTATIVE"}

        published = await publish(service, period["id"])
        # R2: publishing needs a preparation event; `publish` added one (it seats nobody).
        (preparation,) = [s["uid"] for s in published["sessions"] if s["kind"] == "preparation"]
        calendar = await _ics(service, f"/v1/periods/{period['id']}/calendar.ics")
        events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        assert set(events) == {first["uid"], second["uid"], preparation}
        swedish = events[second["uid"]]
        assert str(swedish["SUMMARY"]) == "Utbildning"
        assert str(swedish["LOCATION"]) == "FPA, Vasa"
        assert "URL" not in swedish
        assert swedish.decoded("DTSTART") == helsinki(SECOND_DAY, "13:00").astimezone(UTC)
        assert str(calendar.walk("VTIMEZONE")[0]["TZID"]) == "Europe/Helsinki"
        assert str(events[first["uid"]]["SUMMARY"]) == "Uusi"
        assert int(events[first["uid"]]["SEQUENCE"]) == 2

        no_time = await service.client.patch(
            url,
            json={
                "starts_at": iso(date(YEAR, 12, 6), "09:00"),
                "ends_at": iso(date(YEAR, 12, 6), "10:00"),
            },
            headers=service.staff,
        )
        assert (no_time.status_code, no_time.json()["code"]) == (422, "session_on_holiday")
        unknown = await service.client.patch(url, json={"colour": "red"}, headers=service.staff)
        assert (unknown.status_code, unknown.json()["field"]) == (422, "colour")
