"""Repository of enrolments: seats, places in line, their counts (keyword-only, never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.adapters.tables import Enrolment
from services.scheduling.domain.enrolment import Person
from services.scheduling.domain.states import DELIBERATE_CANCELLATIONS, LIVE


class EnrolmentRepository:
    """One participant's seat (or place in line) per session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def create(
        self,
        *,
        session_id: uuid.UUID,
        person: Person,
        status: str,
        queue_no: int,
        now: datetime,
        origin: str = "rules",
        calendar_uid: str | None = None,
        calendar_sequence: int = 0,
    ) -> Enrolment:
        """Stage a new enrolment of `person` (their email as given) in a session; its calendar
        entry's UID is `calendar_uid` (an earlier entry of the person's) or its own."""
        enrolment_id = uuid.uuid4()
        enrolment = Enrolment(
            id=enrolment_id,
            origin=origin,
            calendar_uid=calendar_uid or f"{enrolment_id}@scheduling.kanta.example",
            calendar_sequence=calendar_sequence,
            session_id=session_id,
            registration_id=person.registration_id,
            business_id=person.business_id,
            name=person.name,
            email=person.email,
            language=person.language,
            role=person.role,
            status=status,
            queue_no=queue_no,
            created_at=now,
            updated_at=now,
        )
        self._session.add(enrolment)
        return enrolment

    async def count_seats(
        self, *, session_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, int]]:
        """session id → {"confirmed": n, "waitlisted": m}."""
        counts = {sid: {str(s): 0 for s in LIVE} for sid in session_ids}
        if not session_ids:
            return counts
        result = await self._session.exec(
            select(Enrolment.session_id, Enrolment.status, func.count())
            .where(col(Enrolment.session_id).in_(session_ids), col(Enrolment.status).in_(LIVE))
            .group_by(col(Enrolment.session_id), col(Enrolment.status))
        )
        for session_id, status, count in result:
            counts[session_id][status] = int(count)
        return counts

    async def list_all(
        self,
        *,
        session_id: uuid.UUID | None = None,
        registration_id: uuid.UUID | None = None,
        business_id: str | None = None,
        email: str | None = None,
        statuses: Iterable[str] = (),
        session_ids: Sequence[uuid.UUID] | None = None,
        cancel_reasons: Iterable[str] = (),
    ) -> list[Enrolment]:
        """Enrolments matching every filter given, in enrolment order."""
        statement = select(Enrolment)
        if session_ids is not None:
            statement = statement.where(col(Enrolment.session_id).in_(session_ids))
        reasons = list(cancel_reasons)
        if reasons:
            statement = statement.where(col(Enrolment.cancel_reason).in_(reasons))
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
        return list(await self._session.exec(statement.order_by(*order)))

    async def get(self, *, enrolment_id: uuid.UUID) -> Enrolment | None:
        """One enrolment, read afresh from the database."""
        result = await self._session.exec(
            select(Enrolment)
            .where(Enrolment.id == enrolment_id)
            .execution_options(populate_existing=True)
        )
        return result.first()

    async def find_live(self, *, session_id: uuid.UUID, email: str) -> Enrolment | None:
        """The person's confirmed or waiting enrolment in the session, or None."""
        result = await self._session.exec(
            select(Enrolment).where(
                Enrolment.session_id == session_id,
                Enrolment.email == email,
                col(Enrolment.status).in_(LIVE),
            )
        )
        return result.first()

    async def latest(self, *, session_id: uuid.UUID, email: str) -> Enrolment | None:
        """The person's most recent enrolment in the session (any status), or None."""
        result = await self._session.exec(
            select(Enrolment)
            .where(Enrolment.session_id == session_id, Enrolment.email == email)
            .order_by(col(Enrolment.queue_no).desc())
        )
        return result.first()

    async def removed(self, *, session_ids: Sequence[uuid.UUID]) -> set[tuple[uuid.UUID, str]]:
        """(session, email) of everyone taken out of these sessions on purpose."""
        if not session_ids:
            return set()
        result = await self._session.exec(
            select(Enrolment.session_id, Enrolment.email).where(
                col(Enrolment.session_id).in_(session_ids),
                col(Enrolment.cancel_reason).in_(DELIBERATE_CANCELLATIONS),
            )
        )
        return {(session_id, email) for session_id, email in result}

    async def was_removed(self, *, session_id: uuid.UUID, email: str) -> bool:
        """Whether the person's enrolment in the session was cancelled on purpose."""
        result = await self._session.exec(
            select(Enrolment.id).where(
                Enrolment.session_id == session_id,
                Enrolment.email == email,
                col(Enrolment.cancel_reason).in_(DELIBERATE_CANCELLATIONS),
            )
        )
        return result.first() is not None
