"""The mail outbox's persistence: a repository bound to a session; keyword-only, never commits."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.adapters.tables import Mail
from services.notifications.domain.mail import MailStatus, NewMail, require_transition
from shared.db import insert_ignoring_conflicts

_MAILS = Mail.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ClaimOutcome:
    """How a claim ends: the mail's new state, written only while the claim's token holds."""

    mail_id: uuid.UUID
    token: uuid.UUID
    status: MailStatus
    attempts: int
    last_reply: str
    now: datetime
    next_attempt_at: datetime | None = None


class MailRepository:
    """Mails of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, mail: NewMail) -> Mail | None:
        """Store a mail unless one with its (event, recipient, template) exists; None if it did."""
        row = Mail(**asdict(mail), updated_at=mail.created_at)
        statement = (
            insert_ignoring_conflicts(self._session, _MAILS)
            .values(**row.model_dump())
            .returning(_MAILS.c.id)
        )
        result = await self._session.exec(statement)
        return row if result.first() is not None else None

    async def get(self, *, mail_id: uuid.UUID) -> Mail | None:
        """One mail by id, or None."""
        return await self._session.get(Mail, mail_id)

    async def claim_due(
        self, *, now: datetime, lease_until: datetime, token: uuid.UUID, limit: int
    ) -> list[Mail]:
        """Mark due mails `sending` under this claim and return them, oldest first.

        Due: `queued`/`retrying` whose time has come, and `sending` whose lease ran out (the
        sender holding it died). On PostgreSQL `FOR UPDATE SKIP LOCKED` keeps concurrent
        senders apart; SQLite transactions here begin IMMEDIATE, which serialises claimers.
        """
        due = (
            select(Mail.id)
            .where(
                or_(
                    and_(
                        col(Mail.status).in_([MailStatus.QUEUED, MailStatus.RETRYING]),
                        col(Mail.next_attempt_at) <= now,
                    ),
                    and_(col(Mail.status) == MailStatus.SENDING, col(Mail.claimed_until) <= now),
                )
            )
            .order_by(col(Mail.created_at), col(Mail.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(Mail)
            .where(col(Mail.id).in_(due.scalar_subquery()))
            .values(
                status=MailStatus.SENDING,
                claimed_until=lease_until,
                claim_token=token,
                updated_at=now,
            )
            .returning(Mail)
            .execution_options(synchronize_session=False)
        )
        result = await self._session.exec(claim)
        mails: list[Mail] = list(result.scalars().all())
        mails.sort(key=lambda mail: (mail.created_at, str(mail.id)))
        return mails

    async def finish_claim(self, *, outcome: ClaimOutcome) -> bool:
        """End a claim in this transaction (see `finish_claim`); False when it was lost."""
        return await finish_claim(await self._session.connection(), outcome=outcome)

    async def find(
        self,
        *,
        limit: int,
        registration_id: uuid.UUID | None = None,
        recipient: str | None = None,
        status: MailStatus | None = None,
        template: str | None = None,
        business_id: str | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[Mail]:
        """Mails matching every given filter, oldest first, starting after `after` (created, id)."""
        statement = select(Mail)
        if registration_id is not None:
            statement = statement.where(Mail.registration_id == registration_id)
        if recipient is not None:
            statement = statement.where(Mail.recipient == recipient)
        if status is not None:
            statement = statement.where(Mail.status == status.value)
        if template is not None:
            statement = statement.where(Mail.template == template)
        if business_id is not None:
            statement = statement.where(Mail.business_id == business_id)
        if after is not None:
            created_at, mail_id = after
            statement = statement.where(
                or_(
                    col(Mail.created_at) > created_at,
                    and_(col(Mail.created_at) == created_at, col(Mail.id) > mail_id),
                )
            )
        ordered = statement.order_by(col(Mail.created_at), col(Mail.id)).limit(limit)
        return list((await self._session.exec(ordered)).all())

    async def assign_business_id(
        self, *, registration_id: uuid.UUID, business_id: str, keep: str
    ) -> None:
        """Give a registration's mails queued before its owner was known their business ID.

        Mails of template `keep` (the internal staff copy) stay without one.
        """
        await self._session.exec(
            update(Mail)
            .where(
                col(Mail.registration_id) == registration_id,
                col(Mail.business_id).is_(None),
                col(Mail.template) != keep,
            )
            .values(business_id=business_id[:20])
            .execution_options(synchronize_session=False)
        )


async def finish_claim(connection: AsyncConnection, *, outcome: ClaimOutcome) -> bool:
    """End a claim with the mail's new state; False when the claim was lost to another sender.

    The mail is `sending` (the statement's fence), so the new status must be a step the state
    machine allows from there. Core on a connection (a session's, or one of its own): the
    sender runs this once per mail, and the ORM's update path cost more than the statement.
    """
    o = outcome
    require_transition(MailStatus.SENDING, o.status)
    result = await connection.execute(
        _FINISH_CLAIM,
        {
            "mail_id": o.mail_id,
            "token": o.token,
            "sending": MailStatus.SENDING.value,
            "status": o.status.value,
            "attempts": o.attempts,
            "last_reply": o.last_reply[:2000],
            "next_attempt_at": o.next_attempt_at,
            "updated_at": o.now,
            "sent_at": o.now if o.status is MailStatus.SENT else None,
        },
    )
    return bool(result.rowcount)


_FINISH_CLAIM = (
    update(_MAILS)
    .where(
        _MAILS.c.id == bindparam("mail_id"),
        _MAILS.c.status == bindparam("sending"),
        _MAILS.c.claim_token == bindparam("token"),
    )
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts"),
        last_reply=bindparam("last_reply"),
        next_attempt_at=bindparam("next_attempt_at"),
        claimed_until=None,
        claim_token=None,
        updated_at=bindparam("updated_at"),
        sent_at=bindparam("sent_at"),
    )
)
