"""Calendar objects for iMIP mails (RFC 6047 over RFC 5546), built with `icalendar`.

Each person holds a calendar entry of their own (scheduling owns its UID and SEQUENCE): a
REQUEST carries the entry's stable UID and current SEQUENCE, so a calendar client updates the
entry it already has instead of adding a second one; a CANCEL with STATUS:CANCELLED and the
raised SEQUENCE removes it. ORGANIZER is the sender's address, the recipient the one ATTENDEE
(RFC 6047). Times are written on Europe/Helsinki time with the one rule-based VTIMEZONE
(`shared.vtimezone`), which Outlook reads right.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vText

from shared.clock import HELSINKI
from shared.contracts.common import Participant
from shared.contracts.scheduling import SessionInfo
from shared.vtimezone import helsinki_vtimezone

PRODID = "-//Kela//Kanta deployment periods//FI"


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


def entry_of(participant: Participant, session: SessionInfo) -> tuple[str, int]:
    """The UID and SEQUENCE of the person's own calendar entry (the session's, in old events)."""
    uid = participant.calendar_uid or session.uid
    sequence = session.sequence
    if participant.calendar_sequence is not None:
        sequence = participant.calendar_sequence
    return uid, sequence


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
    uid: str | None = None,
    sequence: int | None = None,
) -> str:
    """The calendar object of one session for one attendee, as iCalendar text.

    `uid` and `sequence` name the attendee's own entry (default: the session's).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method.value)
    calendar.add_component(helsinki_vtimezone())
    event = Event()
    event.add("uid", uid or session.uid)
    event.add("sequence", session.sequence if sequence is None else sequence)
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
    text: str = calendar.to_ical().decode("utf-8")
    return text


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    return address
