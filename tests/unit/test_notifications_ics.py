"""Calendar objects (iMIP): stable UID, current SEQUENCE, METHOD, Helsinki time with VTIMEZONE."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import icalendar

from services.notifications.adapters.ics import EventStatus, Method, build_calendar
from shared.contracts.common import PeriodRef
from shared.contracts.scheduling import LocalizedText, SessionInfo

# 07:00 UTC on 15 June is 10:00 in Helsinki (summer time, UTC+3).
STARTS = datetime(2027, 6, 15, 7, 0, tzinfo=UTC)
ENDS = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)


def info(**overrides: object) -> SessionInfo:
    values: dict[str, object] = {
        "session_id": uuid.uuid4(),
        "uid": "training-7@kanta.example",
        "sequence": 3,
        "period_id": uuid.uuid4(),
        "period": PeriodRef(year=2027, number=2),
        "kind": "training",
        "title": LocalizedText(fi="Koulutus", sv="Utbildning", en="Training"),
        "starts_at": STARTS,
        "ends_at": ENDS,
        "online_url": "https://meet.kanta.example/7",
        "place": None,
        "language": "sv",
        "capacity": 20,
    }
    values.update(overrides)
    return SessionInfo.model_validate(values)


def parsed(method: Method, status: EventStatus, **overrides: object) -> icalendar.Calendar:
    text = build_calendar(
        info(**overrides),
        method=method,
        status=status,
        organizer="kayttoonotot@kanta.example",
        organizer_name="Kanta-käyttöönotot",
        attendee="anna@example.fi",
        attendee_name="Anna Andersson",
        language="sv",
        stamp=datetime(2027, 5, 1, 12, 0, tzinfo=UTC),
    )
    return icalendar.Calendar.from_ical(text)


def test_a_request_carries_the_sessions_uid_sequence_and_helsinki_times() -> None:
    calendar = parsed(Method.REQUEST, EventStatus.CONFIRMED)
    [event] = calendar.events

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert str(event["UID"]) == "training-7@kanta.example"
    assert event["SEQUENCE"] == 3
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Utbildning"
    assert event["LOCATION"] == "https://meet.kanta.example/7"
    start = event.start
    assert isinstance(start, datetime)
    assert start == STARTS and event.end == ENDS
    assert str(start.tzinfo) == "Europe/Helsinki"
    assert start.hour == 10
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Helsinki"]
    assert str(event["ORGANIZER"]) == "mailto:kayttoonotot@kanta.example"
    assert str(event["ATTENDEE"]) == "mailto:anna@example.fi"
    assert event["ATTENDEE"].params["CN"] == "Anna Andersson"


def test_a_cancel_says_so_and_keeps_the_uid() -> None:
    calendar = parsed(Method.CANCEL, EventStatus.CANCELLED, sequence=5, place="Kela, Turku")
    [event] = calendar.events
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == "training-7@kanta.example"
    assert event["SEQUENCE"] == 5
    assert event["LOCATION"] == "Kela, Turku"


def test_winter_times_are_utc_plus_two() -> None:
    [event] = parsed(
        Method.REQUEST,
        EventStatus.TENTATIVE,
        starts_at=datetime(2027, 1, 10, 8, 0, tzinfo=UTC),
        ends_at=datetime(2027, 1, 10, 9, 0, tzinfo=UTC),
    ).events
    assert isinstance(event.start, datetime) and event.start.hour == 10
    assert event["STATUS"] == "TENTATIVE"
