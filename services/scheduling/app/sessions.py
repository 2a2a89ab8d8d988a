"""Use cases of the sessions (R2): add, change and cancel preparation events and trainings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.scheduling.app import seats
from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.queries import session_view
from services.scheduling.app.records import PeriodRecord, SessionRecord
from services.scheduling.app.reminders import drop_reminders, replan_session
from services.scheduling.app.schemas import (
    SessionCancel,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from services.scheduling.app.seating import seat_period_registrations
from services.scheduling.app.views import participant, session_info, session_public
from services.scheduling.domain import errors
from services.scheduling.domain.calendar import NewSession, check_place, check_session_time
from services.scheduling.domain.states import (
    LIVE,
    EnrolmentStatus,
    PeriodStatus,
    SessionStatus,
)
from shared.clock import Clock
from shared.contracts.scheduling import (
    FieldChange,
    SessionCancelled,
    SessionInfo,
    SessionPublished,
    SessionRescheduled,
)

RESCHEDULING_FIELDS = ("starts_at", "ends_at", "place", "online_url")


async def _locked(uow: SchedulingUoW, session_id: uuid.UUID) -> tuple[SessionRecord, PeriodRecord]:
    """The session under its lock, and its period (404 when there is none)."""
    row = await uow.sessions.get(session_id=session_id, lock=True)
    if row is None:
        raise errors.SESSION_NOT_FOUND(f"No session {session_id}.")
    period = await uow.periods.get(period_id=row.period_id)
    assert period is not None
    return row, period


async def add_session(
    period_id: uuid.UUID,
    cmd: SessionCreate,
    uow: SchedulingUoW,
    policy: Policy,
    *,
    clock: Clock,
) -> SessionPublic:
    """R2: a session of the period; a draft until the period is published, else live at once."""
    check_session_time(cmd.starts_at, cmd.ends_at, confirm_holiday=cmd.confirm_holiday)
    check_place(cmd.online_url, cmd.place)
    async with uow:
        period = await uow.periods.get(period_id=period_id, lock=True)
        if period is None:
            raise errors.PERIOD_NOT_FOUND(f"No period {period_id}.")
        session_id = uuid.uuid4()
        published = period.status == PeriodStatus.PUBLISHED
        new = NewSession(
            id=session_id,
            period_id=period.id,
            uid=f"{session_id}@scheduling.kanta.example",
            kind=cmd.kind,
            title_fi=cmd.title.fi,
            title_sv=cmd.title.sv,
            title_en=cmd.title.en,
            starts_at=cmd.starts_at.astimezone(UTC),
            ends_at=cmd.ends_at.astimezone(UTC),
            online_url=cmd.online_url,
            place=cmd.place,
            language=cmd.language,
            capacity=cmd.capacity,
            audience=cmd.audience.model_dump(mode="json"),
            status=SessionStatus.SCHEDULED if published else SessionStatus.DRAFT,
        )
        row = uow.sessions.create(new=new, now=clock.now())
        await uow.flush()
        if row.status == SessionStatus.SCHEDULED:
            uow.emit(SessionPublished(session=session_info(row, period)))
            await seat_period_registrations(uow, policy, period=period, clock=clock)
        await uow.commit()
        return await session_view(uow, row)


async def update_session(
    session_id: uuid.UUID,
    cmd: SessionUpdate,
    uow: SchedulingUoW,
    policy: Policy,
    *,
    clock: Clock,
) -> SessionPublic:
    """Change a session: SEQUENCE +1; once published a time or place change is announced."""
    async with uow:
        row, period = await _locked(uow, session_id)
        if row.status == SessionStatus.CANCELLED:
            raise errors.SESSION_CANCELLED("A cancelled session cannot change.")
        before = session_info(row, period)
        _apply(row, cmd)
        after = session_info(row, period)
        if after == before:
            return await session_view(uow, row)
        if "starts_at" in cmd.model_fields_set or "ends_at" in cmd.model_fields_set:
            check_session_time(row.starts_at, row.ends_at, confirm_holiday=cmd.confirm_holiday)
        check_place(row.online_url, row.place)
        confirmed = (await uow.enrolments.count_seats(session_ids=[row.id]))[row.id]["confirmed"]
        if row.capacity < confirmed:
            raise errors.CAPACITY_BELOW_CONFIRMED(
                f"{confirmed} participants hold a seat; the capacity cannot "
                f"go below that (cancel enrolments first)."
            )
        row.sequence += 1
        row.updated_at = clock.now()
        if row.status == SessionStatus.SCHEDULED:
            await _announce(uow, policy, row=row, period=period, before=before, clock=clock)
        await uow.commit()
        return await session_view(uow, row)


async def _announce(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    row: SessionRecord,
    period: PeriodRecord,
    before: SessionInfo,
    clock: Clock,
) -> None:
    """A published session changed: move reminders, tell of a new time or place, refill."""
    after = session_info(row, period)
    changes = {
        name: FieldChange(old=getattr(before, name), new=getattr(after, name))
        for name in RESCHEDULING_FIELDS
        if getattr(before, name) != getattr(after, name)
    }
    if before.starts_at != after.starts_at:
        await replan_session(uow, policy, row=row, clock=clock)
    if changes:
        confirmed = await uow.enrolments.list_all(
            session_id=row.id, statuses=[EnrolmentStatus.CONFIRMED]
        )
        uow.emit(
            SessionRescheduled.model_validate(
                {
                    "session": after,
                    "changes": {k: v.model_dump(mode="json") for k, v in changes.items()},
                    "participants": [participant(e) for e in confirmed],
                }
            )
        )
    # Seats may have been added: promote from the waiting list.
    await seats.fill_free_seats(uow, policy, locked=row, period=period, clock=clock)


def _apply(row: SessionRecord, cmd: SessionUpdate) -> None:
    given = cmd.model_fields_set - {"confirm_holiday"}
    if "title" in given and cmd.title is not None:
        row.title_fi, row.title_sv, row.title_en = cmd.title.fi, cmd.title.sv, cmd.title.en
    for name in ("starts_at", "ends_at", "language", "capacity"):
        value = getattr(cmd, name)
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
        if name in given and value is not None:
            setattr(row, name, value)
    for name in ("online_url", "place"):
        if name in given:
            setattr(row, name, getattr(cmd, name))
    if "audience" in given and cmd.audience is not None:
        row.audience = cmd.audience.model_dump(mode="json")


async def cancel_session(
    session_id: uuid.UUID, cmd: SessionCancel, uow: SchedulingUoW, *, clock: Clock
) -> SessionPublic:
    """Cancel a session: its seats are freed and its participants told (`session.cancelled`)."""
    async with uow:
        row, period = await _locked(uow, session_id)
        if row.status == SessionStatus.CANCELLED:
            raise errors.SESSION_CANCELLED("The session is cancelled already.")
        live = await uow.enrolments.list_all(session_id=row.id, statuses=LIVE)
        told = [participant(e) for e in live if e.status == EnrolmentStatus.CONFIRMED]
        was_published = row.status == SessionStatus.SCHEDULED
        row.status, row.note = SessionStatus.CANCELLED, cmd.note
        row.sequence += 1
        row.updated_at = clock.now()
        for e in live:
            e.status, e.cancel_reason = EnrolmentStatus.CANCELLED, "session_cancelled"
            e.updated_at = clock.now()
        await drop_reminders(uow, enrolment_ids=[e.id for e in live])
        if was_published:
            uow.emit(
                SessionCancelled(
                    session=session_info(row, period), participants=told, note=cmd.note
                )
            )
        await uow.commit()
    return session_public(row)
