"""Use cases of change notices (R9): file, list, read, acknowledge."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import col, select

from services.registration.extension import rules
from services.registration.extension.models import Notice, NoticeHistory
from services.registration.extension.schemas import (
    ArchivingExtension,
    ConnectionPointChange,
    DocumentGroupChange,
    DocumentVolumeGrowth,
    NoticeCreate,
    NoticeHistoryEntry,
    NoticePage,
    NoticePublic,
    SystemProfileChange,
)
from services.registration.settings import RegistrationSettings
from shared.auth import Principal
from shared.contracts.extension import NoticeAcknowledged, NoticeReceived
from shared.errors import Conflict, NotFound, RuleViolation
from shared.paging import decode_cursor, encode_cursor
from shared.types import utcnow
from shared.uow import UnitOfWork


def routed_to_kela(body: NoticeCreate, settings: RegistrationSettings) -> bool:
    """R9: which notices go to Kela's mailbox."""
    notice = body.notice
    if isinstance(notice, DocumentGroupChange | SystemProfileChange):
        return True
    if isinstance(notice, DocumentVolumeGrowth | ArchivingExtension):
        return rules.volume_growth_is_significant(
            notice.document_increase, settings.notice_volume_threshold
        )
    return False


def _check_lead_time(body: NoticeCreate, settings: RegistrationSettings, now: datetime) -> None:
    notice = body.notice
    if not isinstance(notice, ConnectionPointChange):
        return
    today = rules.helsinki_today(now)
    lead = settings.notice_connection_point_lead_days
    if not rules.connection_point_change_in_time(notice.effective_on, today, lead):
        earliest = rules.earliest_connection_point_change(today, lead)
        raise RuleViolation(
            f"A technical connection point change must be notified at least {lead} days "
            f"ahead (R9): the earliest effective date today is {earliest.isoformat()}.",
            code="notice_too_late",
            field="notice.effective_on",
            extra={"earliest_allowed": earliest.isoformat()},
        )


def _public(notice: Notice, history: list[NoticeHistory] | None = None) -> NoticePublic:
    return NoticePublic(
        id=notice.id,
        kind=notice.kind,
        business_id=notice.business_id,
        organisation_name=notice.organisation_name,
        details=notice.details,
        effective_on=notice.effective_on,
        routed_to_kela=notice.routed_to_kela,
        state=notice.state,
        created_at=notice.created_at,
        acknowledged_at=notice.acknowledged_at,
        history=[
            NoticeHistoryEntry(
                at=h.at,
                actor=h.actor,
                role=h.role,
                action=h.action,
                old_state=h.old_state,
                new_state=h.new_state,
            )
            for h in history or []
        ],
    )


async def file_notice(
    body: NoticeCreate,
    principal: Principal,
    uow: UnitOfWork,
    settings: RegistrationSettings,
) -> NoticePublic:
    now = utcnow()
    _check_lead_time(body, settings, now)
    assert principal.business_id is not None  # an organisation caller always has one
    details = body.notice.model_dump(mode="json", exclude={"kind"})
    effective_on = getattr(body.notice, "effective_on", None) or getattr(
        body.notice, "in_use_from", None
    )
    routed = routed_to_kela(body, settings)
    async with uow:
        notice = Notice(
            kind=body.notice.kind,
            business_id=principal.business_id,
            organisation_name=body.organisation_name,
            details=details,
            effective_on=effective_on,
            routed_to_kela=routed,
            state="received",
            filed_by=principal.client_id,
            created_at=now,
        )
        entry = NoticeHistory(
            notice_id=notice.id,
            at=now,
            actor=principal.client_id,
            role=principal.role,
            action="filed",
            old_state=None,
            new_state="received",
        )
        uow.session.add(notice)
        uow.session.add(entry)
        uow.emit(
            NoticeReceived(
                notice_id=notice.id,
                kind=body.notice.kind,
                business_id=notice.business_id,
                organisation_name=notice.organisation_name,
                details=details,
                effective_on=effective_on,
                routed_to_kela=routed,
                kela_mailbox=settings.kela_notice_mailbox if routed else None,
            )
        )
        await uow.commit()
    return _public(notice, [entry])


async def _visible(uow: UnitOfWork, notice_id: uuid.UUID, principal: Principal) -> Notice:
    notice = await uow.session.get(Notice, notice_id)
    if notice is None or not principal.may_see(notice.business_id):
        raise NotFound(f"No notice {notice_id}.", code="notice_not_found")
    return notice


async def _history(uow: UnitOfWork, notice_id: uuid.UUID) -> list[NoticeHistory]:
    rows = await uow.session.exec(
        select(NoticeHistory)
        .where(NoticeHistory.notice_id == notice_id)
        .order_by(col(NoticeHistory.id))
    )
    return list(rows)


async def get_notice(notice_id: uuid.UUID, principal: Principal, uow: UnitOfWork) -> NoticePublic:
    async with uow:
        notice = await _visible(uow, notice_id, principal)
        return _public(notice, await _history(uow, notice_id))


async def list_notices(
    principal: Principal,
    uow: UnitOfWork,
    *,
    state: str | None,
    kind: str | None,
    routed_to_kela: bool | None,
    cursor: str | None,
    limit: int,
) -> NoticePage:
    query = select(Notice)
    if not principal.is_staff:
        query = query.where(Notice.business_id == principal.business_id)
    if state is not None:
        query = query.where(Notice.state == state)
    if kind is not None:
        query = query.where(Notice.kind == kind)
    if routed_to_kela is not None:
        query = query.where(Notice.routed_to_kela == routed_to_kela)
    if cursor is not None:
        after_at, after_id = decode_cursor(cursor)
        query = query.where(
            or_(
                col(Notice.created_at) > after_at,
                and_(col(Notice.created_at) == after_at, col(Notice.id) > after_id),
            )
        )
    query = query.order_by(col(Notice.created_at), col(Notice.id)).limit(limit + 1)
    async with uow:
        rows = list(await uow.session.exec(query))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return NoticePage(items=[_public(n) for n in rows], next_cursor=next_cursor)


async def acknowledge_notice(
    notice_id: uuid.UUID, principal: Principal, uow: UnitOfWork
) -> NoticePublic:
    now = utcnow()
    async with uow:
        notice = await _visible(uow, notice_id, principal)
        if notice.state != "received":
            raise Conflict(
                f"Notice {notice_id} is already {notice.state}.", code="invalid_transition"
            )
        notice.state = "acknowledged"
        notice.acknowledged_at = now
        notice.acknowledged_by = principal.client_id
        uow.session.add(notice)
        uow.session.add(
            NoticeHistory(
                notice_id=notice.id,
                at=now,
                actor=principal.client_id,
                role=principal.role,
                action="acknowledged",
                old_state="received",
                new_state="acknowledged",
            )
        )
        uow.emit(
            NoticeAcknowledged(
                notice_id=notice.id,
                kind=notice.kind,
                business_id=notice.business_id,
                organisation_name=notice.organisation_name,
                details=notice.details,
                effective_on=notice.effective_on,
                acknowledged_by=principal.client_id,
            )
        )
        await uow.commit()
        return _public(notice, await _history(uow, notice_id))
