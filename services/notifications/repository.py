"""Persistence of mails and suppressions: keyword-only, verb-named, never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.domain import MailStatus
from services.notifications.models import Mail, Suppression
from shared.db import insert_ignoring_conflicts


async def add_mail(session: AsyncSession, *, mail: Mail) -> bool:
    """Insert a mail unless one with its (event, recipient, template) exists; True if added."""
    table = Mail.__table__  # type: ignore[attr-defined]
    statement = (
        insert_ignoring_conflicts(session, table).values(**mail.model_dump()).returning(table.c.id)
    )
    result = await session.exec(statement)
    return result.first() is not None


async def suppressed_among(session: AsyncSession, *, emails: Collection[str]) -> set[str]:
    """Which of these (normalised) addresses are on the suppression list."""
    if not emails:
        return set()
    result = await session.exec(
        select(Suppression.email).where(col(Suppression.email).in_(list(emails)))
    )
    return set(result.all())


async def suppress_address(
    session: AsyncSession, *, email: str, reason: str, now: datetime
) -> None:
    """Put an address on the suppression list (kept as is when it already was)."""
    table = Suppression.__table__  # type: ignore[attr-defined]
    statement = insert_ignoring_conflicts(session, table).values(
        email=email, reason=reason[:2000], created_at=now
    )
    await session.exec(statement)


async def claim_due_mails(
    session: AsyncSession, *, now: datetime, lease_until: datetime, token: uuid.UUID, limit: int
) -> list[Mail]:
    """Mark due mails `sending` under this claim and return them, oldest first.

    Due: `queued`/`retrying` whose time has come, and `sending` whose lease ran out (the sender
    holding it died). On PostgreSQL `FOR UPDATE SKIP LOCKED` keeps concurrent senders apart;
    SQLite transactions here begin IMMEDIATE, which serialises claimers.
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
    result = await session.exec(claim)
    mails: list[Mail] = list(result.scalars().all())
    mails.sort(key=lambda mail: (mail.created_at, str(mail.id)))
    return mails


async def finish_claim(
    connection: AsyncConnection,
    *,
    mail_id: uuid.UUID,
    token: uuid.UUID,
    status: MailStatus,
    attempts: int,
    last_reply: str,
    now: datetime,
    next_attempt_at: datetime | None = None,
) -> bool:
    """End a claim with the mail's new state; False when the claim was lost to another sender.

    Core on a connection (a session's, or one of its own): the sender runs this once per mail,
    and the ORM's update path cost more than the statement itself.
    """
    result = await connection.execute(
        _FINISH_CLAIM,
        {
            "mail_id": mail_id,
            "token": token,
            "sending": MailStatus.SENDING.value,
            "status": status.value,
            "attempts": attempts,
            "last_reply": last_reply[:2000],
            "next_attempt_at": next_attempt_at,
            "updated_at": now,
            "sent_at": now if status is MailStatus.SENT else None,
        },
    )
    return bool(result.rowcount)


_MAILS = Mail.__table__  # type: ignore[attr-defined]
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


async def get_mail(session: AsyncSession, *, mail_id: uuid.UUID) -> Mail | None:
    """One mail by id, or None."""
    return await session.get(Mail, mail_id)


async def list_mails(
    session: AsyncSession,
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
    result = await session.exec(statement.order_by(col(Mail.created_at), col(Mail.id)).limit(limit))
    return list(result.all())


async def get_suppression(session: AsyncSession, *, email: str) -> Suppression | None:
    """The suppression of a (normalised) address, or None."""
    return await session.get(Suppression, email)


async def unsuppress_address(session: AsyncSession, *, email: str) -> bool:
    """Take an address off the suppression list; False when it was not on it."""
    result = await session.exec(
        delete(Suppression)
        .where(col(Suppression.email) == email)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def assign_business_id(
    session: AsyncSession, *, registration_id: uuid.UUID, business_id: str, keep: str
) -> None:
    """Give a registration's mails queued before its owner was known their business ID.

    Mails of template `keep` (the internal staff copy) stay without one.
    """
    await session.exec(
        update(Mail)
        .where(
            col(Mail.registration_id) == registration_id,
            col(Mail.business_id).is_(None),
            col(Mail.template) != keep,
        )
        .values(business_id=business_id[:20])
        .execution_options(synchronize_session=False)
    )
