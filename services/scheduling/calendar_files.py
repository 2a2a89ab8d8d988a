"""RFC 5545 calendar files of sessions (icalendar): VTIMEZONE Europe/Helsinki, a stable UID,
SEQUENCE rising on every change, STATUS:CANCELLED for cancelled sessions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import icalendar

from services.scheduling import repository
from services.scheduling.domain import HELSINKI
from services.scheduling.models import Period
from services.scheduling.models import Session as SessionRow
from services.scheduling.policy import Policy, hash_token
from shared.auth import Principal
from shared.errors import NotFound
from shared.uow import UnitOfWork

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


@dataclass(frozen=True)
class Entry:
    """A session as a calendar shows it; `cancelled` also when only the attendee was."""

    row: SessionRow
    period: Period
    cancelled: bool = False


def _title(row: SessionRow) -> str:
    titles = {"fi": row.title_fi, "sv": row.title_sv, "en": row.title_en}
    return titles.get(row.language) or row.title_fi


def vevent(entry: Entry, *, organizer: str) -> icalendar.Event:
    """One session as a VEVENT; times in Europe/Helsinki, stamps in UTC."""
    row, period = entry.row, entry.period
    event = icalendar.Event()
    event.add("uid", row.uid)
    event.add("sequence", row.sequence)
    event.add("dtstamp", row.updated_at)
    event.add("created", row.created_at)
    event.add("last-modified", row.updated_at)
    event.add("dtstart", row.starts_at.astimezone(HELSINKI))
    event.add("dtend", row.ends_at.astimezone(HELSINKI))
    event.add("summary", _title(row))
    event.add("organizer", f"mailto:{organizer}", parameters={"CN": "Kela"})
    lines = [f"{KIND_NAMES[row.kind][row.language]} · {period.number}/{period.year}"]
    lines += [t for t in (row.title_fi, row.title_sv, row.title_en) if t and t != _title(row)]
    if row.online_url:
        lines.append(row.online_url)
        event.add("url", row.online_url)
    event.add("description", "\n".join(lines))
    location = row.place or row.online_url
    if location:
        event.add("location", location)
    event.add("categories", [row.kind])
    event.add(
        "status",
        "CANCELLED"
        if entry.cancelled or row.status == "cancelled"
        else ("TENTATIVE" if row.status == "draft" else "CONFIRMED"),
    )
    event.add("transp", "OPAQUE")
    return event


def calendar(entries: Sequence[Entry], *, name: str, organizer: str) -> bytes:
    """A VCALENDAR of the entries with the VTIMEZONE they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Helsinki")
    for entry in entries:
        cal.add_component(vevent(entry, organizer=organizer))
    if not entries:
        cal.add_component(icalendar.Timezone.from_tzid("Europe/Helsinki"))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


async def session_file(
    session_id: uuid.UUID, uow: UnitOfWork, policy: Policy, caller: Principal
) -> bytes:
    """The .ics of one session (a draft: staff only)."""
    async with uow:
        row = await repository.get_session(uow.session, session_id=session_id)
        if row is None:
            raise NotFound(f"No session {session_id}.", code="session_not_found")
        period = await repository.get_period(uow.session, period_id=row.period_id)
        assert period is not None
        if not caller.is_staff and "draft" in (row.status, period.status):
            raise NotFound(f"No session {session_id}.", code="session_not_found")
    return calendar([Entry(row, period)], name=_title(row), organizer=policy.calendar_organizer)


async def period_file(
    period_id: uuid.UUID, uow: UnitOfWork, policy: Policy, caller: Principal
) -> bytes:
    """The .ics of a period's sessions (drafts: staff only)."""
    async with uow:
        period = await repository.get_period(uow.session, period_id=period_id)
        if period is None or (period.status == "draft" and not caller.is_staff):
            raise NotFound(f"No period {period_id}.", code="period_not_found")
        rows = await repository.list_sessions(uow.session, period_ids=[period.id])
    entries = [Entry(r, period) for r in rows if caller.is_staff or r.status != "draft"]
    name = f"Kanta {period.number}/{period.year}"
    return calendar(entries, name=name, organizer=policy.calendar_organizer)


async def feed_file(token: str, uow: UnitOfWork, policy: Policy) -> bytes:
    """A participant's own calendar: the sessions they hold a seat in (cancelled ones shown so)."""
    async with uow:
        feed = await repository.find_feed(uow.session, token_hash=hash_token(token))
        if feed is None:
            raise NotFound("No such calendar feed.", code="feed_not_found")
        enrolments = await repository.list_enrolments(
            uow.session, email=feed.email, statuses=["confirmed", "cancelled"]
        )
        entries: dict[uuid.UUID, Entry] = {}
        for enrolment in enrolments:
            row = await repository.get_session(uow.session, session_id=enrolment.session_id)
            assert row is not None
            period = await repository.get_period(uow.session, period_id=row.period_id)
            assert period is not None
            cancelled = enrolment.status == "cancelled"
            if row.id in entries and not cancelled:
                entries[row.id] = Entry(row, period)
            entries.setdefault(row.id, Entry(row, period, cancelled=cancelled))
    return calendar(list(entries.values()), name="Kanta", organizer=policy.calendar_organizer)
