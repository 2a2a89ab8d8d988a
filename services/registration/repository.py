"""Persistence of registrations: keyword-only, verb-named, never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Uuid, bindparam, insert, literal, tuple_
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration import rules
from services.registration.domain import INACTIVE_STATES
from services.registration.models import (
    IdempotencyRecord,
    KnownPeriod,
    Registration,
    RegistrationHistory,
    metadata,
)
from shared.types import UTCDateTime


async def get_registration(
    session: AsyncSession, *, registration_id: uuid.UUID, for_update: bool = False
) -> Registration | None:
    """The registration, row-locked on PostgreSQL when it is about to change."""
    statement = select(Registration).where(Registration.id == registration_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def find_active_registration(
    session: AsyncSession, *, business_id: str, service: str, year: int, number: int
) -> Registration | None:
    """The registration holding this organisation, service and period, if any."""
    statement = select(Registration).where(
        Registration.business_id == business_id,
        Registration.service == service,
        Registration.period_year == year,
        Registration.period_number == number,
        col(Registration.state).not_in([s.value for s in INACTIVE_STATES]),
    )
    return (await session.exec(statement)).first()


# A new registration and its first history row are only inserted, never read back in the
# same request: Core inserts (compiled once, cached) skip the ORM's unit-of-work flush.
_REGISTRATIONS = metadata.tables[Registration.__tablename__]
_HISTORY = metadata.tables[RegistrationHistory.__tablename__]
_REGISTRATION_COLUMNS = tuple(column.key for column in _REGISTRATIONS.columns)
_HISTORY_COLUMNS = tuple(column.key for column in _HISTORY.columns if column.key != "id")
_INSERT_REGISTRATION = insert(_REGISTRATIONS)
_INSERT_HISTORY = insert(_HISTORY)


async def insert_registration(
    session: AsyncSession, *, registration: Registration, history: RegistrationHistory
) -> None:
    """Insert a new registration and its first history row now, in the session's transaction.

    The objects stay outside the session. A unique-index violation (the duplicate rule)
    raises IntegrityError here.
    """
    connection = await session.connection()
    await connection.execute(
        _INSERT_REGISTRATION, {name: getattr(registration, name) for name in _REGISTRATION_COLUMNS}
    )
    await connection.execute(
        _INSERT_HISTORY, {name: getattr(history, name) for name in _HISTORY_COLUMNS}
    )


def add_history(session: AsyncSession, *, entry: RegistrationHistory) -> None:
    """Append one history row; there is deliberately no way to change or delete one."""
    session.add(entry)


async def list_history(
    session: AsyncSession, *, registration_id: uuid.UUID
) -> Sequence[RegistrationHistory]:
    """A registration's history, oldest first."""
    statement = (
        select(RegistrationHistory)
        .where(RegistrationHistory.registration_id == registration_id)
        .order_by(col(RegistrationHistory.id))
    )
    return (await session.exec(statement)).all()


async def get_idempotency_record(
    session: AsyncSession, *, client_id: str, key: str
) -> IdempotencyRecord | None:
    """The stored first answer of this client's key, if any."""
    return await session.get(IdempotencyRecord, (client_id, key))


def add_idempotency_record(session: AsyncSession, *, record: IdempotencyRecord) -> None:
    session.add(record)


async def get_period(session: AsyncSession, *, year: int, number: int) -> KnownPeriod | None:
    """The period as the read model knows it."""
    return await session.get(KnownPeriod, (year, number))


_PERIODS = metadata.tables[KnownPeriod.__tablename__]
_WINDOW = core_select(
    _PERIODS.c.year,
    _PERIODS.c.number,
    _PERIODS.c.starts_on,
    _PERIODS.c.ends_on,
    _PERIODS.c.registration_opens_on,
    _PERIODS.c.registration_closes_on,
).where(_PERIODS.c.year == bindparam("year"), _PERIODS.c.number == bindparam("number"))


async def get_period_window(
    session: AsyncSession, *, year: int, number: int
) -> rules.PeriodWindow | None:
    """The period's dates as the rules need them (a plain read: no ORM object to track)."""
    connection = await session.connection()
    row = (await connection.execute(_WINDOW, {"year": year, "number": number})).first()
    return None if row is None else rules.PeriodWindow(**row._mapping)


async def get_period_by_id(session: AsyncSession, *, period_id: uuid.UUID) -> KnownPeriod | None:
    """The period with the scheduling service's id, whatever its year and number."""
    statement = select(KnownPeriod).where(KnownPeriod.period_id == period_id)
    return (await session.exec(statement)).first()


def put_period(session: AsyncSession, *, period: KnownPeriod) -> None:
    session.add(period)


async def remove_period(session: AsyncSession, *, period: KnownPeriod) -> None:
    """Drop a period row now (flushed, so that its id can be stored again at once)."""
    await session.delete(period)
    await session.flush()


@dataclass(frozen=True)
class Filters:
    """What a list of registrations may be narrowed by."""

    business_id: str | None = None
    period_year: int | None = None
    period_number: int | None = None
    service: str | None = None
    domain: str | None = None
    state: str | None = None
    has_warnings: bool | None = None
    modified_since: datetime | None = None


@dataclass(frozen=True)
class Position:
    """Where a page ends in the (updated_at, id) order."""

    updated_at: datetime
    id: uuid.UUID


def _conditions(filters: Filters) -> list[ColumnElement[bool]]:
    r = Registration
    pairs: list[tuple[object, object]] = [
        (filters.business_id, r.business_id),
        (filters.period_year, r.period_year),
        (filters.period_number, r.period_number),
        (filters.service, r.service),
        (filters.domain, r.domain),
        (filters.state, r.state),
        (filters.has_warnings, r.has_warnings),
    ]
    found: list[ColumnElement[bool]] = [
        col(column) == value for value, column in pairs if value is not None
    ]
    if filters.modified_since is not None:
        found.append(col(r.updated_at) >= filters.modified_since)
    return found


async def list_registrations(
    session: AsyncSession, *, filters: Filters, after: Position | None, limit: int
) -> Sequence[Registration]:
    """Up to `limit` registrations after `after` in (updated_at, id) order (keyset paging)."""
    conditions = _conditions(filters)
    if after is not None:
        # A row-value comparison, so that PostgreSQL (and SQLite) seek in the index.
        conditions.append(
            tuple_(col(Registration.updated_at), col(Registration.id))
            > tuple_(literal(after.updated_at, UTCDateTime()), literal(after.id, Uuid()))
        )
    statement = (
        select(Registration)
        .where(*conditions)
        .order_by(col(Registration.updated_at), col(Registration.id))
        .limit(limit)
    )
    return (await session.exec(statement)).all()
