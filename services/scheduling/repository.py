"""Persistence of the scheduling service: keyword-only, verb-named, never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.models import Enrolment, Feed, KnownRegistration, Period, Reminder
from services.scheduling.models import Session as SessionRow
from shared.db import insert_ignoring_conflicts

LIVE = ("confirmed", "waitlisted")


def add(session: AsyncSession, *, row: object) -> None:
    """Stage a new row."""
    session.add(row)


def add_known_registration(session: AsyncSession, *, registration: KnownRegistration) -> None:
    """Stage a registration learnt from an event."""
    session.add(registration)


async def get_known_registration(
    session: AsyncSession, *, registration_id: uuid.UUID
) -> KnownRegistration | None:
    """The read-model row, or None."""
    return await session.get(KnownRegistration, registration_id)


async def list_accepted_registrations(
    session: AsyncSession, *, year: int, number: int
) -> list[KnownRegistration]:
    """Accepted registrations of one period, oldest first."""
    result = await session.exec(
        select(KnownRegistration)
        .where(
            col(KnownRegistration.state).in_(("accepted", "moved")),
            KnownRegistration.period_year == year,
            KnownRegistration.period_number == number,
        )
        .order_by(col(KnownRegistration.received_at))
    )
    return list(result)


async def list_periods(session: AsyncSession, *, year: int | None = None) -> list[Period]:
    """Periods (of one year), in date order."""
    statement = select(Period).order_by(col(Period.starts_on))
    if year is not None:
        statement = statement.where(Period.year == year)
    return list(await session.exec(statement))


async def get_period(
    session: AsyncSession, *, period_id: uuid.UUID, lock: bool = False
) -> Period | None:
    """One period; `lock` holds its row until the transaction ends (PostgreSQL)."""
    statement = select(Period).where(Period.id == period_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.exec(statement)).first()


async def find_period(
    session: AsyncSession, *, year: int, number: int, lock: bool = False
) -> Period | None:
    """The period `number` of `year`, or None; `lock` holds its row (PostgreSQL)."""
    statement = select(Period).where(Period.year == year, Period.number == number)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.exec(statement)).first()


async def list_sessions(
    session: AsyncSession, *, period_ids: Sequence[uuid.UUID], statuses: Iterable[str] = ()
) -> list[SessionRow]:
    """Sessions of the given periods in time order, optionally of some statuses only."""
    statement = select(SessionRow).where(col(SessionRow.period_id).in_(period_ids))
    wanted = list(statuses)
    if wanted:
        statement = statement.where(col(SessionRow.status).in_(wanted))
    return list(await session.exec(statement.order_by(col(SessionRow.starts_at))))


async def get_session(
    session: AsyncSession, *, session_id: uuid.UUID, lock: bool = False
) -> SessionRow | None:
    """One session; `lock` takes its row lock, which serialises seat changes (PostgreSQL).

    On SQLite the unit of work's `BEGIN IMMEDIATE` already serialises every writer.
    """
    statement = select(SessionRow).where(SessionRow.id == session_id)
    if lock:
        statement = statement.with_for_update()
        result = await session.exec(statement.execution_options(populate_existing=True))
        return result.first()
    return (await session.exec(statement)).first()


async def seat_counts(
    session: AsyncSession, *, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """session id → {"confirmed": n, "waitlisted": m}."""
    counts: dict[uuid.UUID, dict[str, int]] = {sid: {s: 0 for s in LIVE} for sid in session_ids}
    if not session_ids:
        return counts
    result = await session.exec(
        select(Enrolment.session_id, Enrolment.status, func.count())
        .where(col(Enrolment.session_id).in_(session_ids), col(Enrolment.status).in_(LIVE))
        .group_by(col(Enrolment.session_id), col(Enrolment.status))
    )
    for session_id, status, count in result:
        counts[session_id][status] = int(count)
    return counts


async def list_enrolments(
    session: AsyncSession,
    *,
    session_id: uuid.UUID | None = None,
    registration_id: uuid.UUID | None = None,
    business_id: str | None = None,
    email: str | None = None,
    statuses: Iterable[str] = (),
) -> list[Enrolment]:
    """Enrolments matching every filter given, in enrolment order."""
    statement = select(Enrolment)
    if session_id is not None:
        statement = statement.where(Enrolment.session_id == session_id)
    if registration_id is not None:
        statement = statement.where(Enrolment.registration_id == registration_id)
    if business_id is not None:
        statement = statement.where(Enrolment.business_id == business_id)
    if email is not None:
        statement = statement.where(Enrolment.email == email)
    wanted = list(statuses)
    if wanted:
        statement = statement.where(col(Enrolment.status).in_(wanted))
    order = (col(Enrolment.session_id), col(Enrolment.queue_no))
    return list(await session.exec(statement.order_by(*order)))


async def get_enrolment(session: AsyncSession, *, enrolment_id: uuid.UUID) -> Enrolment | None:
    """One enrolment, read afresh from the database."""
    result = await session.exec(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def live_enrolment(
    session: AsyncSession, *, session_id: uuid.UUID, email: str
) -> Enrolment | None:
    """The person's confirmed or waiting enrolment in the session, or None."""
    result = await session.exec(
        select(Enrolment).where(
            Enrolment.session_id == session_id,
            Enrolment.email == email,
            col(Enrolment.status).in_(LIVE),
        )
    )
    return result.first()


DELIBERATE_CANCELLATIONS = ("cancelled_by_organisation", "cancelled_by_staff", "moved")


async def was_removed(session: AsyncSession, *, session_id: uuid.UUID, email: str) -> bool:
    """Whether the person's enrolment in the session was cancelled on purpose."""
    result = await session.exec(
        select(Enrolment.id).where(
            Enrolment.session_id == session_id,
            Enrolment.email == email,
            col(Enrolment.cancel_reason).in_(DELIBERATE_CANCELLATIONS),
        )
    )
    return result.first() is not None


async def list_reminders(session: AsyncSession, *, enrolment_id: uuid.UUID) -> list[Reminder]:
    """An enrolment's reminders, earliest first."""
    result = await session.exec(
        select(Reminder).where(Reminder.enrolment_id == enrolment_id).order_by(col(Reminder.due_at))
    )
    return list(result)


async def delete_reminders(
    session: AsyncSession, *, enrolment_ids: Sequence[uuid.UUID], unsent_only: bool = False
) -> None:
    """Drop the reminders of these enrolments (only those not sent yet, if asked)."""
    if not enrolment_ids:
        return
    statement = delete(Reminder).where(col(Reminder.enrolment_id).in_(enrolment_ids))
    if unsent_only:
        statement = statement.where(col(Reminder.sent_at).is_(None))
    await session.exec(statement)


async def lock_due_reminders(session: AsyncSession, *, now: datetime, limit: int) -> list[Reminder]:
    """Due, unsent reminders locked for this transaction, earliest first.

    `SKIP LOCKED` lets another replica take the next ones instead of waiting (PostgreSQL);
    the rows are marked sent in the same transaction, so each goes out once.
    """
    result = await session.exec(
        select(Reminder)
        .where(col(Reminder.sent_at).is_(None), col(Reminder.due_at) <= now)
        .order_by(col(Reminder.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(result)


async def get_feed(session: AsyncSession, *, email: str) -> Feed | None:
    """A participant's feed row by their email, or None."""
    return await session.get(Feed, email)


async def add_feed_once(session: AsyncSession, *, feed: Feed) -> Feed:
    """Insert the feed unless the participant has one already (a concurrent insert, say);
    return the one that is stored."""
    values = feed.model_dump()
    # SQLModel sets `__table__` when the class is made; its stubs do not declare it.
    table = Feed.__table__  # type: ignore[attr-defined]
    await session.exec(insert_ignoring_conflicts(session, table).values(**values))
    result = await session.exec(
        select(Feed).where(Feed.email == feed.email).execution_options(populate_existing=True)
    )
    return result.one()


async def find_feed(session: AsyncSession, *, token_hash: str) -> Feed | None:
    """The feed whose token hashes to `token_hash`, or None."""
    return (await session.exec(select(Feed).where(Feed.token_hash == token_hash))).first()
