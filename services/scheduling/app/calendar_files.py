"""Calendar files of sessions, periods and participants' feeds, written by a `CalendarWriter`."""

from __future__ import annotations

import uuid

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import CalendarWriter, SchedulingUoW
from services.scheduling.app.queries import visible_period, visible_session
from services.scheduling.app.views import calendar_entry
from services.scheduling.domain import errors
from services.scheduling.domain.calendar_entries import CalendarEntry
from services.scheduling.domain.feeds import hash_token
from services.scheduling.domain.states import EnrolmentStatus, visible
from shared.auth import Principal


async def session_file(
    session_id: uuid.UUID,
    uow: SchedulingUoW,
    policy: Policy,
    caller: Principal,
    *,
    write: CalendarWriter,
) -> bytes:
    """The .ics of one session (a draft: staff only)."""
    async with uow:
        row, period = await visible_session(uow, session_id, caller)
        entry = calendar_entry(row, period)
    return write([entry], name=entry.title, organizer=policy.calendar_organizer)


async def period_file(
    period_id: uuid.UUID,
    uow: SchedulingUoW,
    policy: Policy,
    caller: Principal,
    *,
    write: CalendarWriter,
) -> bytes:
    """The .ics of a period's sessions (drafts: staff only)."""
    async with uow:
        period = await visible_period(uow, period_id, caller)
        rows = await uow.sessions.list_all(period_ids=[period.id])
        entries = [
            calendar_entry(r, period) for r in rows if visible(r.status, staff=caller.is_staff)
        ]
    name = f"Kanta {period.number}/{period.year}"
    return write(entries, name=name, organizer=policy.calendar_organizer)


async def feed_file(
    token: str, uow: SchedulingUoW, policy: Policy, *, write: CalendarWriter
) -> bytes:
    """A participant's own calendar: their entries through one registration (#15), each with
    its own UID and SEQUENCE; waiting ones TENTATIVE, cancelled ones shown so."""
    async with uow:
        feed = await uow.feeds.find(token_hash=hash_token(token))
        if feed is None:
            raise errors.FEED_NOT_FOUND("No such calendar feed.")
        enrolments = await uow.enrolments.list_all(
            registration_id=feed.registration_id, email=feed.email
        )
        entries: dict[uuid.UUID, CalendarEntry] = {}
        for enrolment in enrolments:  # in enrolment order: the newest entry of a session wins
            row = await uow.sessions.get(session_id=enrolment.session_id)
            assert row is not None
            period = await uow.periods.get(period_id=row.period_id)
            assert period is not None
            cancelled = enrolment.status == EnrolmentStatus.CANCELLED
            if cancelled and row.id in entries and not entries[row.id].cancelled:
                continue  # a live seat wins over a cancelled one of the same session
            entries[row.id] = calendar_entry(row, period, cancelled=cancelled, enrolment=enrolment)
    return write(list(entries.values()), name="Kanta", organizer=policy.calendar_organizer)
