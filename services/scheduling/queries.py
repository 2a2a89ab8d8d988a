"""Reading the calendar: everyone authenticated sees what is published, staff drafts too."""

from __future__ import annotations

import uuid

from services.scheduling import repository
from services.scheduling.models import Period
from services.scheduling.schemas import CalendarPublic, PeriodPublic, SessionPublic
from services.scheduling.snapshots import period_public, session_public
from shared.auth import Principal
from shared.errors import NotFound
from shared.uow import UnitOfWork


def counts_of(counts: dict[str, int]) -> dict[str, int]:
    """Seat counts as `session_public` takes them."""
    return {"confirmed": counts["confirmed"], "waiting": counts["waitlisted"]}


def _visible(caller: Principal, status: str) -> bool:
    return caller.is_staff or status not in ("draft",)


async def period_view(uow: UnitOfWork, period: Period, *, staff: bool) -> PeriodPublic:
    """A period with its sessions and their seat counts (drafts only for staff)."""
    rows = await repository.list_sessions(uow.session, period_ids=[period.id])
    rows = [r for r in rows if staff or r.status != "draft"]
    counts = await repository.seat_counts(uow.session, session_ids=[r.id for r in rows])
    return period_public(period, [session_public(r, **counts_of(counts[r.id])) for r in rows])


async def get_calendar(year: int, uow: UnitOfWork, caller: Principal) -> CalendarPublic:
    """The year's periods and sessions; drafts only for staff."""
    async with uow:
        periods = await repository.list_periods(uow.session, year=year)
        views = [
            await period_view(uow, p, staff=caller.is_staff)
            for p in periods
            if _visible(caller, p.status)
        ]
    return CalendarPublic(year=year, periods=views)


async def get_period(period_id: uuid.UUID, uow: UnitOfWork, caller: Principal) -> PeriodPublic:
    """One period with its sessions; a draft is staff's only (404 for others)."""
    async with uow:
        period = await repository.get_period(uow.session, period_id=period_id)
        if period is None or not _visible(caller, period.status):
            raise NotFound(f"No period {period_id}.", code="period_not_found")
        return await period_view(uow, period, staff=caller.is_staff)


async def get_session(session_id: uuid.UUID, uow: UnitOfWork, caller: Principal) -> SessionPublic:
    """One session; a draft is staff's only (404 for others)."""
    async with uow:
        row = await repository.get_session(uow.session, session_id=session_id)
        if row is None:
            raise NotFound(f"No session {session_id}.", code="session_not_found")
        period = await repository.get_period(uow.session, period_id=row.period_id)
        assert period is not None
        if not caller.is_staff and "draft" in (row.status, period.status):
            raise NotFound(f"No session {session_id}.", code="session_not_found")
        counts = await repository.seat_counts(uow.session, session_ids=[row.id])
    return session_public(row, **counts_of(counts[row.id]))
