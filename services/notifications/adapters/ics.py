"""Calendar objects for iMIP mails (RFC 6047 over RFC 5546), built with `icalendar`.

A REQUEST carries the session's stable UID and current SEQUENCE, so a calendar client updates
the entry it already has instead of adding a second one; a CANCEL with STATUS:CANCELLED
removes it. Times are written on Europe/Helsinki time with its VTIMEZONE.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vText

from shared.clock import HELSINKI
from shared.contracts.scheduling import SessionInfo

PRODID = "-//Kela//Kanta deployment periods//FI"
# VTIMEZONE rules are written for this span: sessions are planned a few years ahead at most.
_TZ_FIRST, _TZ_LAST = date(2020, 1, 1), date(2040, 1, 1)


class Method(StrEnum):
    """The iTIP methods our mails use."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class EventStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


def session_title(session: SessionInfo, language: str) -> str:
    """The session's title in `language`, Finnish when it has none in that language."""
    localized = {"fi": session.title.fi, "sv": session.title.sv, "en": session.title.en}
    return localized.get(language) or session.title.fi


def build_calendar(
    session: SessionInfo,
    *,
    method: Method,
    status: EventStatus,
    organizer: str,
    organizer_name: str,
    attendee: str,
    attendee_name: str,
    language: str,
    stamp: datetime,
    description: str = "",
) -> str:
    """The calendar object of one session for one attendee, as iCalendar text."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method.value)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(HELSINKI))
    event.add("dtend", session.ends_at.astimezone(HELSINKI))
    event.add("summary", session_title(session, language))
    location = session.place or session.online_url
    if location:
        event.add("location", location)
    if session.online_url:
        event.add("url", session.online_url)
    if description:
        event.add("description", description)
    event.add("status", status.value)
    event.add("organizer", _address(organizer, organizer_name))
    who = _address(attendee, attendee_name)
    who.params["ROLE"] = "REQ-PARTICIPANT"
    who.params["RSVP"] = "FALSE"
    event.add("attendee", who)
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=_TZ_FIRST, last_date=_TZ_LAST)
    text: str = calendar.to_ical().decode("utf-8")
    return text


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    return address
