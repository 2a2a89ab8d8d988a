"""Persistence of registrations and their history: keyword-only, verb-named, never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Uuid, insert, literal, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.tables import (
    IdempotencyRecord,
    Registration,
    RegistrationHistory,
    metadata,
)
from services.registration.domain.listing import Filters, Position
from services.registration.domain.states import INACTIVE_STATES, OPEN_STATES
from shared.types import UTCDateTime

# A new registration and its first history row are only inserted, never read back in the
# same request: Core inserts (compiled once, cached) skip the ORM's unit-of-work flush.
_REGISTRATIONS = metadata.tables[Registration.__tablename__]
_HISTORY = metadata.tables[RegistrationHistory.__tablename__]
_REGISTRATION_COLUMNS = tuple(column.key for column in _REGISTRATIONS.columns)
_HISTORY_COLUMNS = tuple(column.key for column in _HISTORY.columns if column.key != "id")
_INSERT_REGISTRATION = insert(_REGISTRATIONS)
_INSERT_HISTORY = insert(_HISTORY)


class RegistrationRepository:
    """Registrations, their append-only history and the idempotency records of submissions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def new_registration(self, **values: Any) -> Registration:
        """A new registration, not yet stored (`insert` writes it)."""
        return Registration(**values)

    def new_history(self, **values: Any) -> RegistrationHistory:
        """A new history row, not yet stored (`insert` writes it with its registration)."""
        return RegistrationHistory(**values)

    async def get(
        self, *, registration_id: uuid.UUID, for_update: bool = False
    ) -> Registration | None:
        """The registration, row-locked on PostgreSQL when it is about to change."""
        statement = select(Registration).where(Registration.id == registration_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self._session.exec(statement)).first()

    async def find_active(
        self, *, business_id: str, service: str, year: int, number: int
    ) -> Registration | None:
        """The registration holding this organisation, service and period, if any."""
        statement = select(Registration).where(
            Registration.business_id == business_id,
            Registration.service == service,
            Registration.period_year == year,
            Registration.period_number == number,
            col(Registration.state).not_in([s.value for s in INACTIVE_STATES]),
        )
        return (await self._session.exec(statement)).first()

    async def domains_of(self, *, business_id: str) -> frozenset[str]:
        """The domains the organisation's registrations name (health care, social welfare…)."""
        statement = (
            select(Registration.domain).where(Registration.business_id == business_id).distinct()
        )
        return frozenset((await self._session.exec(statement)).all())

    async def list_open_in_period(self, *, year: int, number: int) -> Sequence[Registration]:
        """The period's registrations still heading for production, row-locked."""
        statement = (
            select(Registration)
            .where(
                Registration.period_year == year,
                Registration.period_number == number,
                col(Registration.state).in_([s.value for s in OPEN_STATES]),
            )
            .order_by(col(Registration.id))
            .with_for_update()
        )
        return (await self._session.exec(statement)).all()

    async def insert(self, *, registration: object, history: object) -> None:
        """Insert a new registration and its first history row now, in this transaction.

        Both are rows of `new_registration` and `new_history` (read by column name); they stay
        outside the session. A unique-index violation (the duplicate rule) raises
        IntegrityError here.
        """
        connection = await self._session.connection()
        await connection.execute(
            _INSERT_REGISTRATION,
            {name: getattr(registration, name) for name in _REGISTRATION_COLUMNS},
        )
        await connection.execute(
            _INSERT_HISTORY, {name: getattr(history, name) for name in _HISTORY_COLUMNS}
        )

    def add_history(self, **values: Any) -> RegistrationHistory:
        """Append one history row; there is deliberately no way to change or delete one."""
        entry = RegistrationHistory(**values)
        self._session.add(entry)
        return entry

    async def list_history(self, *, registration_id: uuid.UUID) -> Sequence[RegistrationHistory]:
        """A registration's history, oldest first."""
        statement = (
            select(RegistrationHistory)
            .where(RegistrationHistory.registration_id == registration_id)
            .order_by(col(RegistrationHistory.id))
        )
        return (await self._session.exec(statement)).all()

    async def get_idempotency_record(self, *, client_id: str, key: str) -> IdempotencyRecord | None:
        """The stored first answer of this client's key, if any."""
        return await self._session.get(IdempotencyRecord, (client_id, key))

    def add_idempotency_record(self, **values: Any) -> IdempotencyRecord:
        """Keep the first answer to a key (a concurrent twin fails at flush)."""
        record = IdempotencyRecord(**values)
        self._session.add(record)
        return record

    async def list_page(
        self, *, filters: Filters, after: Position | None, limit: int
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
        return (await self._session.exec(statement)).all()


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
