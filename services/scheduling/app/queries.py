"""Reading the calendar: everyone authenticated sees what is published, staff drafts too."""

from __future__ import annotations

import uuid

from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.records import PeriodRecord, SessionRecord
from services.scheduling.app.schemas import CalendarPublic, PeriodPublic, SessionPublic
from services.scheduling.app.views import period_public, session_public
from services.scheduling.domain import errors
from services.scheduling.domain.states import visible
from shared.auth import Principal


async def period_view(uow: SchedulingUoW, period: PeriodRecord, *, staff: bool) -> PeriodPublic:
    """A period with its sessions and their seat counts (drafts only for staff)."""
    rows = await uow.sessions.list_all(period_ids=[period.id])
    rows = [r for r in rows if visible(r.status, staff=staff)]
    counts = await uow.enrolments.count_seats(session_ids=[r.id for r in rows])
    return period_public(period, [session_public(r, counts[r.id]) for r in rows])


async def session_view(uow: SchedulingUoW, row: SessionRecord) -> SessionPublic:
    """A session with its seat counts."""
    counts = await uow.enrolments.count_seats(session_ids=[row.id])
    return session_public(row, counts[row.id])


async def visible_session(
    uow: SchedulingUoW, session_id: uuid.UUID, caller: Principal
) -> tuple[SessionRecord, PeriodRecord]:
    """A session and its period, if the caller may see it (a draft: staff only), else 404."""
    row = await uow.sessions.get(session_id=session_id)
    period = None if row is None else await uow.periods.get(period_id=row.period_id)
    if (
        row is None
        or period is None
        or not visible(row.status, period.status, staff=caller.is_staff)
    ):
        raise errors.SESSION_NOT_FOUND(f"No session {session_id}.")
    return row, period


async def visible_period(
    uow: SchedulingUoW, period_id: uuid.UUID, caller: Principal
) -> PeriodRecord:
    """A period, if the caller may see it (a draft: staff only), else 404."""
    period = await uow.periods.get(period_id=period_id)
    if period is None or not visible(period.status, staff=caller.is_staff):
        raise errors.PERIOD_NOT_FOUND(f"No period {period_id}.")
    return period


async def get_calendar(year: int, uow: SchedulingUoW, caller: Principal) -> CalendarPublic:
    """The year's periods and sessions; drafts only for staff."""
    async with uow:
        periods = await uow.periods.list_all(year=year)
        views = [
            await period_view(uow, p, staff=caller.is_staff)
            for p in periods
            if visible(p.status, staff=caller.is_staff)
        ]
    return CalendarPublic(year=year, periods=views)


async def get_period(period_id: uuid.UUID, uow: SchedulingUoW, caller: Principal) -> PeriodPublic:
    """One period with its sessions; a draft is staff's only (404 for others)."""
    async with uow:
        period = await visible_period(uow, period_id, caller)
        return await period_view(uow, period, staff=caller.is_staff)


async def get_session(
    session_id: uuid.UUID, uow: SchedulingUoW, caller: Principal
) -> SessionPublic:
    """One session; a draft is staff's only (404 for others)."""
    async with uow:
        row, _ = await visible_session(uow, session_id, caller)
        return await session_view(uow, row)
