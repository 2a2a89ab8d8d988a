"""The read models fed by other services' events: a repository bound to a session; never commits.

Every write is an upsert that tolerates redelivery and reordering: a session snapshot only
replaces one with a lower or equal SEQUENCE.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.adapters.tables import (
    KnownEntry,
    KnownPeriod,
    KnownRegistration,
    KnownSession,
)
from services.notifications.domain.sessions import EntryState
from shared.contracts.common import Participant
from shared.contracts.scheduling import PeriodInfo, SessionInfo
from shared.db import insert_ignoring_conflicts


class ReadModelRepository:
    """Whose registrations are whose, periods' dates, sessions' latest snapshots."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember_registration(
        self,
        *,
        registration_id: uuid.UUID,
        business_id: str,
        organisation_name: str,
        revision: int,
        now: datetime,
    ) -> bool:
        """Record (or refresh) whose registration this is, unless this snapshot is older.

        Keeps the highest `revision` seen; False when a newer snapshot was seen already (an
        older one that arrived late: a retry, a redelivery), and then nothing changes.
        """
        values = {
            "business_id": business_id[:20],
            "organisation_name": organisation_name[:300],
            "revision": revision,
            "updated_at": now,
        }
        table = KnownRegistration.__table__  # type: ignore[attr-defined]
        inserted = await self._session.exec(
            insert_ignoring_conflicts(self._session, table)
            .values(registration_id=registration_id, **values)
            .returning(table.c.registration_id)
        )
        if inserted.first() is not None:
            return True
        updated = await self._session.exec(
            update(KnownRegistration)
            .where(
                col(KnownRegistration.registration_id) == registration_id,
                col(KnownRegistration.revision) <= revision,
            )
            .values(**values)
            .returning(col(KnownRegistration.registration_id))
        )
        return updated.first() is not None

    async def find_business_ids(self, *, registration_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The business ID of each known registration among `registration_ids`."""
        if not registration_ids:
            return {}
        result = await self._session.exec(
            select(KnownRegistration.registration_id, KnownRegistration.business_id).where(
                col(KnownRegistration.registration_id).in_(list(registration_ids))
            )
        )
        return dict(result.all())

    async def remember_period(self, *, period: PeriodInfo, now: datetime) -> None:
        """Record (or refresh) a period's dates."""
        values = {
            "year": period.year,
            "number": period.number,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "updated_at": now,
        }
        table = KnownPeriod.__table__  # type: ignore[attr-defined]
        inserted = await self._session.exec(
            insert_ignoring_conflicts(self._session, table)
            .values(period_id=period.period_id, **values)
            .returning(table.c.period_id)
        )
        if inserted.first() is None:
            await self._session.exec(
                update(KnownPeriod)
                .where(col(KnownPeriod.period_id) == period.period_id)
                .values(**values)
            )

    async def find_period(self, *, year: int, number: int) -> KnownPeriod | None:
        """The most recently published period with this year and number, if known."""
        result = await self._session.exec(
            select(KnownPeriod)
            .where(KnownPeriod.year == year, KnownPeriod.number == number)
            .order_by(col(KnownPeriod.updated_at).desc())
            .limit(1)
        )
        return result.first()

    async def remember_session(self, *, info: SessionInfo, now: datetime) -> None:
        """Keep the newest snapshot of a session: one with a lower SEQUENCE never wins."""
        values = {
            "year": info.period.year,
            "number": info.period.number,
            "sequence": info.sequence,
            "status": info.status,
            "starts_at": info.starts_at,
            "info": info.model_dump_json(),
            "updated_at": now,
        }
        table = KnownSession.__table__  # type: ignore[attr-defined]
        inserted = await self._session.exec(
            insert_ignoring_conflicts(self._session, table)
            .values(session_id=info.session_id, **values)
            .returning(table.c.session_id)
        )
        if inserted.first() is None:
            await self._session.exec(
                update(KnownSession)
                .where(
                    col(KnownSession.session_id) == info.session_id,
                    col(KnownSession.sequence) <= info.sequence,
                )
                .values(**values)
            )

    async def find_scheduled_sessions(self, *, year: int, number: int) -> list[SessionInfo]:
        """The period's scheduled sessions, earliest first."""
        result = await self._session.exec(
            select(KnownSession)
            .where(
                KnownSession.year == year,
                KnownSession.number == number,
                KnownSession.status == "scheduled",
            )
            .order_by(col(KnownSession.starts_at), col(KnownSession.session_id))
        )
        return [SessionInfo.model_validate_json(row.info) for row in result.all()]

    async def find_session(self, *, session_id: uuid.UUID) -> SessionInfo | None:
        """The newest snapshot of a session, if known."""
        row = await self._session.get(KnownSession, session_id)
        return SessionInfo.model_validate_json(row.info) if row is not None else None

    async def remember_entry(
        self,
        *,
        participant: Participant,
        session_id: uuid.UUID,
        sequence: int,
        live: bool,
        position: int | None,
        now: datetime,
    ) -> None:
        """Keep the newest state of a person's entry: a lower SEQUENCE never wins, and at an
        equal one a cancellation is not undone (it is the later word of the two)."""
        values = {
            "session_id": session_id,
            "sequence": sequence,
            "live": live,
            "participant": participant.model_dump_json(),
            "position": position,
            "updated_at": now,
        }
        table = KnownEntry.__table__  # type: ignore[attr-defined]
        inserted = await self._session.exec(
            insert_ignoring_conflicts(self._session, table)
            .values(enrolment_id=participant.enrolment_id, **values)
            .returning(table.c.enrolment_id)
        )
        if inserted.first() is not None:
            return
        stored = col(KnownEntry.sequence)
        newer = (
            stored <= sequence
            if not live
            else or_(stored < sequence, and_(stored == sequence, col(KnownEntry.live)))
        )
        await self._session.exec(
            update(KnownEntry)
            .where(col(KnownEntry.enrolment_id) == participant.enrolment_id, newer)
            .values(**values)
        )

    async def find_entry(self, *, enrolment_id: uuid.UUID) -> EntryState | None:
        """A person's entry as last heard, if known."""
        row = await self._session.get(KnownEntry, enrolment_id)
        if row is None:
            return None
        return EntryState(
            participant=Participant.model_validate_json(row.participant),
            live=row.live,
            position=row.position,
        )
