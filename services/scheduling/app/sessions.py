"""Use cases of the sessions (R2): add, change and cancel preparation events and trainings.

Every change ends in the one reconcile step of the period (`app/reconcile.py`): a new
session or language version, a new audience or capacity, a new time or a cancellation
re-decide who holds which seat. A change a calendar shows (time, place, link, title) raises
the SEQUENCE of every participant's own entry, confirmed or waiting, and tells them all.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.queries import session_view
from services.scheduling.app.reconcile import lock_scope, reconcile_period
from services.scheduling.app.records import PeriodRecord, SessionRecord
from services.scheduling.app.reminders import drop_reminders, replan_session
from services.scheduling.app.schemas import (
    InvitationsResent,
    SessionCancel,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from services.scheduling.app.seats import invitation
from services.scheduling.app.views import participant, session_info, session_public
from services.scheduling.domain import errors
from services.scheduling.domain.calendar import (
    NewSession,
    PeriodDates,
    check_in_range,
    check_place,
    check_session_in_period,
    check_session_time,
)
from services.scheduling.domain.states import (
    LIVE,
    EnrolmentStatus,
    PeriodStatus,
    SessionStatus,
)
from shared.clock import Clock, helsinki_date
from shared.contracts.scheduling import (
    FieldChange,
    SessionCancelled,
    SessionInfo,
    SessionPublished,
    SessionRescheduled,
)

RESCHEDULING_FIELDS = ("starts_at", "ends_at", "place", "online_url", "title")
"""What a calendar entry shows: a change of one raises SEQUENCE and is announced."""


def period_dates(period: PeriodRecord) -> PeriodDates:
    return PeriodDates(
        year=period.year,
        number=period.number,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        registration_opens_on=period.registration_opens_on,
        registration_closes_on=period.registration_closes_on,
    )


def _check_times(
    policy: Policy, starts_at: datetime, ends_at: datetime, *, kind: str, period: PeriodRecord
) -> None:
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        check_in_range(
            field, helsinki_date(value), earliest=policy.earliest_date, latest=policy.latest_date
        )
    check_session_in_period(
        starts_at,
        ends_at,
        kind=kind,
        period=period_dates(period),
        preparation_lead_days=policy.preparation_lead_days,
    )


async def _locked(uow: SchedulingUoW, session_id: uuid.UUID) -> tuple[SessionRecord, PeriodRecord]:
    """The session and its period under their locks (period, then its sessions), or 404."""
    row = await uow.sessions.get(session_id=session_id)
    if row is None:
        raise errors.SESSION_NOT_FOUND(f"No session {session_id}.")
    periods, _ = await lock_scope(uow, [row.period_id])
    locked = await uow.sessions.get(session_id=session_id, lock=True)
    assert locked is not None and periods
    return locked, periods[0]


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
        periods, _ = await lock_scope(uow, [period_id])
        if not periods:
            raise errors.PERIOD_NOT_FOUND(f"No period {period_id}.")
        period = periods[0]
        _check_times(policy, cmd.starts_at, cmd.ends_at, kind=cmd.kind, period=period)
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
            # A new session or language version: who sits where follows from the state.
            await reconcile_period(uow, policy, period=period, clock=clock)
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
    """Change a session: SEQUENCE +1; once published a change a calendar shows is announced
    to everyone holding an entry, and the period's seats are reconciled."""
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
            _check_times(policy, row.starts_at, row.ends_at, kind=row.kind, period=period)
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
            await reconcile_period(uow, policy, period=period, clock=clock)
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
    """A published session changed: move reminders; tell everyone who holds an entry
    (confirmed and waiting) of a change their calendar shows, with their SEQUENCE raised."""
    after = session_info(row, period)
    changes = {
        name: FieldChange(old=getattr(before, name), new=getattr(after, name))
        for name in RESCHEDULING_FIELDS
        if getattr(before, name) != getattr(after, name)
    }
    if before.starts_at != after.starts_at:
        await replan_session(uow, policy, row=row, clock=clock)
    if not changes:
        return  # capacity, audience: nothing a calendar shows
    live = await uow.enrolments.list_all(session_id=row.id, statuses=LIVE)
    for enrolment in live:
        enrolment.calendar_sequence += 1
        enrolment.updated_at = clock.now()
    uow.emit(
        SessionRescheduled.model_validate(
            {
                "session": after,
                "changes": {k: v.model_dump(mode="json") for k, v in changes.items()},
                "participants": [participant(e) for e in live],
            }
        )
    )


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
    session_id: uuid.UUID, cmd: SessionCancel, uow: SchedulingUoW, policy: Policy, *, clock: Clock
) -> SessionPublic:
    """Cancel a session: everyone holding an entry (confirmed and waiting) is told
    (`session.cancelled`, each with their SEQUENCE raised); the period is reconciled."""
    async with uow:
        row, period = await _locked(uow, session_id)
        if row.status == SessionStatus.CANCELLED:
            raise errors.SESSION_CANCELLED("The session is cancelled already.")
        live = await uow.enrolments.list_all(session_id=row.id, statuses=LIVE)
        was_published = row.status == SessionStatus.SCHEDULED
        row.status, row.note = SessionStatus.CANCELLED, cmd.note
        row.sequence += 1
        row.updated_at = clock.now()
        told = []
        for e in live:
            e.calendar_sequence += 1  # the person's CANCEL of their entry
            told.append(participant(e))  # with the seat they held: confirmed or waiting
            e.status, e.cancel_reason = EnrolmentStatus.CANCELLED, "session_cancelled"
            e.updated_at = clock.now()
        await drop_reminders(uow, enrolment_ids=[e.id for e in live])
        if was_published:
            uow.emit(
                SessionCancelled(
                    session=session_info(row, period), participants=told, note=cmd.note
                )
            )
            await uow.flush()
            await reconcile_period(uow, policy, period=period, clock=clock)
        await uow.commit()
    return session_public(row)


async def resend_invitations(
    session_id: uuid.UUID, uow: SchedulingUoW, policy: Policy, *, clock: Clock
) -> InvitationsResent:
    """Staff: send every current holder of the session their invitation again, rendered from
    the current state with their current SEQUENCE (`resend: true`; nothing changes)."""
    async with uow:
        row, period = await _locked(uow, session_id)
        if row.status != SessionStatus.SCHEDULED:
            raise errors.SESSION_NOT_OPEN(
                f"The session is {row.status}; only a published session's invitations are sent."
            )
        confirmed = await uow.enrolments.list_all(
            session_id=row.id, statuses=[EnrolmentStatus.CONFIRMED]
        )
        waiting = await uow.enrolments.list_all(
            session_id=row.id, statuses=[EnrolmentStatus.WAITLISTED]
        )
        for enrolment in confirmed:
            uow.emit(
                await invitation(
                    uow,
                    policy,
                    enrolment=enrolment,
                    locked=row,
                    period=period,
                    clock=clock,
                    resend=True,
                )
            )
        for position, enrolment in enumerate(waiting, start=1):
            uow.emit(
                await invitation(
                    uow,
                    policy,
                    enrolment=enrolment,
                    locked=row,
                    period=period,
                    clock=clock,
                    position=position,
                    resend=True,
                )
            )
        await uow.commit()
    return InvitationsResent(session_id=row.id, confirmed=len(confirmed), waiting=len(waiting))
