"""RFC 5545 calendar files of sessions (icalendar): VTIMEZONE Europe/Helsinki, a stable UID,
SEQUENCE rising on every change, STATUS:CANCELLED for cancelled sessions.

The VTIMEZONE is the one rule-based block of `shared.vtimezone` (two RRULEs, no RDATE
lists): Outlook reads only TZID, DTSTART, RRULE and the offsets of a VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Sequence

import icalendar

from services.scheduling.domain.calendar_entries import CalendarEntry
from services.scheduling.domain.states import SessionStatus
from shared.clock import HELSINKI
from shared.vtimezone import helsinki_vtimezone

PRODID = "-//Kela//Kanta deployment periods//EN"
KIND_NAMES = {
    "preparation": {
        "fi": "Käyttöönoton valmistelutilaisuus",
        "sv": "Förberedande tillfälle",
        "en": "Preparation event",
    },
    "training": {
        "fi": "Toimintamalli- ja toimintatapakoulutus",
        "sv": "Utbildning i verksamhetsmodeller och arbetssätt",
        "en": "Operating-model and practice training",
    },
}


def vevent(entry: CalendarEntry, *, organizer: str) -> icalendar.Event:
    """One session as a VEVENT; times in Europe/Helsinki, stamps in UTC."""
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", entry.updated_at)
    event.add("created", entry.created_at)
    event.add("last-modified", entry.updated_at)
    event.add("dtstart", entry.starts_at.astimezone(HELSINKI))
    event.add("dtend", entry.ends_at.astimezone(HELSINKI))
    event.add("summary", entry.title)
    event.add("organizer", f"mailto:{organizer}", parameters={"CN": "Kela"})
    lines = [
        f"{KIND_NAMES[entry.kind][entry.language]} · {entry.period_number}/{entry.period_year}"
    ]
    lines += [t for t in (entry.title_fi, entry.title_sv, entry.title_en) if t and t != entry.title]
    if entry.online_url:
        lines.append(entry.online_url)
        event.add("url", entry.online_url)
    event.add("description", "\n".join(lines))
    location = entry.place or entry.online_url
    if location:
        event.add("location", location)
    event.add("categories", [entry.kind])
    event.add(
        "status",
        "CANCELLED"
        if entry.cancelled or entry.status == SessionStatus.CANCELLED
        else (
            "TENTATIVE" if entry.tentative or entry.status == SessionStatus.DRAFT else "CONFIRMED"
        ),
    )
    event.add("transp", "OPAQUE")
    return event


def calendar(entries: Sequence[CalendarEntry], *, name: str, organizer: str) -> bytes:
    """A VCALENDAR of the entries with the VTIMEZONE they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Helsinki")
    cal.add_component(helsinki_vtimezone())
    for entry in entries:
        cal.add_component(vevent(entry, organizer=organizer))
    return bytes(cal.to_ical())
