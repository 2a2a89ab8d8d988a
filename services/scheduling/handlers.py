"""Use cases of the calendar (R1, R2): periods, sessions, publishing, and reading them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from services.scheduling import enrolment, repository
from services.scheduling.domain import PeriodDates, check_period, check_place, check_session_time
from services.scheduling.models import Period
from services.scheduling.models import Session as SessionRow
from services.scheduling.policy import Policy
from services.scheduling.queries import counts_of, period_view
from services.scheduling.reminders import drop_reminders, replan_session
from services.scheduling.schemas import (
    PeriodCreate,
    PeriodPublic,
    PeriodUpdate,
    SessionCancel,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from services.scheduling.snapshots import (
    participant,
    period_info,
    period_public,
    session_info,
    session_public,
)
from shared.contracts.registration import RegistrationEvent
from shared.contracts.scheduling import (
    FieldChange,
    PeriodPublished,
    PeriodUpdated,
    SessionCancelled,
    SessionPublished,
    SessionRescheduled,
)
from shared.errors import Conflict, NotFound, RuleViolation
from shared.events import Envelope, EventPayload
from shared.types import utcnow
from shared.uow import UnitOfWork

RESCHEDULING_FIELDS = ("starts_at", "ends_at", "place", "online_url")


async def record_submitted_registration(
    uow: UnitOfWork, payload: EventPayload, envelope: Envelope
) -> None:
    """Keep what enrolment will need of a registration event (the read model)."""
    assert isinstance(payload, RegistrationEvent)
    await enrolment.apply_registration_event(uow, Policy(), payload=payload)


def _dates(period: Period) -> PeriodDates:
    return PeriodDates(
        year=period.year,
        number=period.number,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        registration_opens_on=period.registration_opens_on,
        registration_closes_on=period.registration_closes_on,
    )


def _period_missing(period_id: uuid.UUID) -> NotFound:
    return NotFound(f"No period {period_id}.", code="period_not_found")


def _session_missing(session_id: uuid.UUID) -> NotFound:
    return NotFound(f"No session {session_id}.", code="session_not_found")


async def create_period(cmd: PeriodCreate, uow: UnitOfWork) -> PeriodPublic:
    """R1: add a draft period after checking it against the year's other periods."""
    async with uow:
        others = await repository.list_periods(uow.session, year=cmd.year)
        check_period(PeriodDates(**cmd.model_dump()), [_dates(p) for p in others])
        now = utcnow()
        period = Period(**cmd.model_dump(), created_at=now, updated_at=now)
        repository.add(uow.session, row=period)
        try:
            await uow.commit()
        except IntegrityError:  # the same number entered concurrently
            raise Conflict(
                f"Period {cmd.number}/{cmd.year} exists already.",
                code="period_number_taken",
                field="number",
            ) from None
    return period_public(period)


async def update_period(period_id: uuid.UUID, cmd: PeriodUpdate, uow: UnitOfWork) -> PeriodPublic:
    """R1: change a period's dates; a published period's change emits `period.updated`."""
    async with uow:
        period = await repository.get_period(uow.session, period_id=period_id, lock=True)
        if period is None:
            raise _period_missing(period_id)
        changes = cmd.model_dump(exclude_unset=True, exclude_none=True)
        candidate = PeriodDates(**{**_dates(period).__dict__, **changes})
        others = await repository.list_periods(uow.session, year=period.year)
        check_period(candidate, [_dates(p) for p in others if p.id != period.id])
        if candidate == _dates(period):
            return period_public(period)
        for name, value in changes.items():
            setattr(period, name, value)
        period.updated_at = utcnow()
        repository.add(uow.session, row=period)
        if period.status == "published":
            uow.emit(PeriodUpdated.model_validate(period_info(period).model_dump()))
        await uow.commit()
    return period_public(period)


async def publish_period(period_id: uuid.UUID, uow: UnitOfWork, policy: Policy) -> PeriodPublic:
    """Publish the period and its draft sessions, then seat its accepted registrations."""
    async with uow:
        period = await repository.get_period(uow.session, period_id=period_id, lock=True)
        if period is None:
            raise _period_missing(period_id)
        if period.status == "published":
            raise Conflict(
                f"Period {period.number}/{period.year} is published already.",
                code="period_already_published",
            )
        period.status, period.published_at = "published", utcnow()
        period.updated_at = period.published_at
        repository.add(uow.session, row=period)
        uow.emit(PeriodPublished.model_validate(period_info(period).model_dump()))
        drafts = await repository.list_sessions(
            uow.session, period_ids=[period.id], statuses=["draft"]
        )
        for row in drafts:
            row.status, row.updated_at = "scheduled", utcnow()
            repository.add(uow.session, row=row)
            uow.emit(SessionPublished(session=session_info(row, period)))
        await enrolment.seat_period_registrations(uow, policy, period=period)
        await uow.commit()
        return await period_view(uow, period, staff=True)


async def add_session(
    period_id: uuid.UUID, cmd: SessionCreate, uow: UnitOfWork, policy: Policy
) -> SessionPublic:
    """R2: a session of the period; a draft until the period is published, else live at once."""
    check_session_time(cmd.starts_at, cmd.ends_at, confirm_holiday=cmd.confirm_holiday)
    check_place(cmd.online_url, cmd.place)
    async with uow:
        period = await repository.get_period(uow.session, period_id=period_id, lock=True)
        if period is None:
            raise _period_missing(period_id)
        now, session_id = utcnow(), uuid.uuid4()
        row = SessionRow(
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
            status="scheduled" if period.status == "published" else "draft",
            created_at=now,
            updated_at=now,
        )
        repository.add(uow.session, row=row)
        await uow.session.flush()
        if row.status == "scheduled":
            uow.emit(SessionPublished(session=session_info(row, period)))
            await enrolment.seat_period_registrations(uow, policy, period=period)
        await uow.commit()
        counts = await repository.seat_counts(uow.session, session_ids=[row.id])
    return session_public(row, **counts_of(counts[row.id]))


async def update_session(
    session_id: uuid.UUID, cmd: SessionUpdate, uow: UnitOfWork, policy: Policy
) -> SessionPublic:
    """Change a session: SEQUENCE +1; once published a time or place change is announced."""
    async with uow:
        row = await repository.get_session(uow.session, session_id=session_id, lock=True)
        if row is None:
            raise _session_missing(session_id)
        if row.status == "cancelled":
            raise Conflict("A cancelled session cannot change.", code="session_cancelled")
        period = await repository.get_period(uow.session, period_id=row.period_id)
        assert period is not None
        before = session_info(row, period)
        _apply(row, cmd)
        after = session_info(row, period)
        if after == before:
            counts = await repository.seat_counts(uow.session, session_ids=[row.id])
            return session_public(row, **counts_of(counts[row.id]))
        if "starts_at" in cmd.model_fields_set or "ends_at" in cmd.model_fields_set:
            check_session_time(row.starts_at, row.ends_at, confirm_holiday=cmd.confirm_holiday)
        check_place(row.online_url, row.place)
        counts = await repository.seat_counts(uow.session, session_ids=[row.id])
        if row.capacity < counts[row.id]["confirmed"]:
            raise RuleViolation(
                f"{counts[row.id]['confirmed']} participants hold a seat; the capacity cannot "
                f"go below that (cancel enrolments first).",
                code="capacity_below_confirmed",
                field="capacity",
            )
        row.sequence += 1
        row.updated_at = utcnow()
        repository.add(uow.session, row=row)
        changes = {
            name: FieldChange(old=getattr(before, name), new=getattr(after, name))
            for name in RESCHEDULING_FIELDS
            if getattr(before, name) != getattr(after, name)
        }
        info = session_info(row, period)
        if row.status == "scheduled":
            if before.starts_at != after.starts_at:
                await replan_session(uow, policy, row=row)
            if changes:
                confirmed = await repository.list_enrolments(
                    uow.session, session_id=row.id, statuses=["confirmed"]
                )
                uow.emit(
                    SessionRescheduled.model_validate(
                        {
                            "session": info,
                            "changes": {k: v.model_dump(mode="json") for k, v in changes.items()},
                            "participants": [participant(e) for e in confirmed],
                        }
                    )
                )
            await enrolment.refill(uow, policy, locked=row, period=period)
        await uow.commit()
        counts = await repository.seat_counts(uow.session, session_ids=[row.id])
    return session_public(row, **counts_of(counts[row.id]))


def _apply(row: SessionRow, cmd: SessionUpdate) -> None:
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
    session_id: uuid.UUID, cmd: SessionCancel, uow: UnitOfWork
) -> SessionPublic:
    """Cancel a session: its seats are freed and its participants told (`session.cancelled`)."""
    async with uow:
        row = await repository.get_session(uow.session, session_id=session_id, lock=True)
        if row is None:
            raise _session_missing(session_id)
        if row.status == "cancelled":
            raise Conflict("The session is cancelled already.", code="session_cancelled")
        period = await repository.get_period(uow.session, period_id=row.period_id)
        assert period is not None
        live = await repository.list_enrolments(
            uow.session, session_id=row.id, statuses=repository.LIVE
        )
        told = [participant(e) for e in live if e.status == "confirmed"]
        was_published = row.status == "scheduled"
        row.status, row.note = "cancelled", cmd.note
        row.sequence += 1
        row.updated_at = utcnow()
        repository.add(uow.session, row=row)
        for e in live:
            e.status, e.cancel_reason, e.updated_at = "cancelled", "session_cancelled", utcnow()
            repository.add(uow.session, row=e)
        await drop_reminders(uow, enrolment_ids=[e.id for e in live])
        if was_published:
            uow.emit(
                SessionCancelled(
                    session=session_info(row, period), participants=told, note=cmd.note
                )
            )
        await uow.commit()
    return session_public(row)
