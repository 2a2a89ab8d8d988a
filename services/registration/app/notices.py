"""Use cases of change notices (R9): file, list, read, acknowledge."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from services.registration.app import views
from services.registration.app.guards import check_dates
from services.registration.app.ports import RegistrationUoW
from services.registration.app.records import NoticeHistoryRecord, NoticeRecord
from services.registration.app.schemas.notices import (
    ArchivingExtension,
    ConnectionPointChange,
    DocumentGroupChange,
    DocumentVolumeGrowth,
    NoticeCreate,
    NoticePage,
    NoticePublic,
    SystemProfileChange,
)
from services.registration.domain import errors, notices
from services.registration.domain.listing import NoticeFilters
from services.registration.domain.notices import NoticeState
from services.registration.settings import RegistrationSettings
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.extension import NoticeAcknowledged, NoticeReceived
from shared.paging import decode_cursor, encode_cursor


def routed_to_kela(body: NoticeCreate, settings: RegistrationSettings) -> bool:
    """R9: which notices go to Kela's mailbox."""
    notice = body.notice
    if isinstance(notice, DocumentGroupChange | SystemProfileChange):
        return True
    if isinstance(notice, DocumentVolumeGrowth | ArchivingExtension):
        return notices.volume_growth_is_significant(
            notice.document_increase, settings.notice_volume_threshold
        )
    return False


def _check_lead_time(body: NoticeCreate, settings: RegistrationSettings, today: date) -> None:
    notice = body.notice
    if not isinstance(notice, ConnectionPointChange):
        return
    lead = settings.notice_connection_point_lead_days
    if not notices.connection_point_change_in_time(notice.effective_on, today, lead):
        earliest = notices.earliest_connection_point_change(today, lead)
        raise errors.NOTICE_TOO_LATE(
            f"A technical connection point change must be notified at least {lead} days "
            f"ahead (R9): the earliest effective date today is {earliest.isoformat()}.",
            extra={"earliest_allowed": earliest.isoformat()},
        )


async def file_notice(
    body: NoticeCreate,
    uow: RegistrationUoW,
    *,
    caller: Principal,
    settings: RegistrationSettings,
    clock: Clock,
) -> NoticePublic:
    """An organisation files a notice; Kela's mailbox gets those R9 routes to it."""
    check_dates(body, earliest=settings.earliest_date, latest=settings.latest_date)
    now = clock.now()
    _check_lead_time(body, settings, clock.today())
    assert caller.business_id is not None  # an organisation caller always has one
    details = body.notice.model_dump(mode="json", exclude={"kind"})
    effective_on = getattr(body.notice, "effective_on", None) or getattr(
        body.notice, "in_use_from", None
    )
    routed = routed_to_kela(body, settings)
    async with uow:
        domains = await uow.registrations.domains_of(business_id=caller.business_id)
        if not notices.kind_fits_domains(body.notice.kind, domains):
            raise errors.NOTICE_NOT_FOR_DOMAIN(
                f"A {body.notice.kind} notice is for social welfare organisations (R9); "
                f"{caller.business_id} is registered in {', '.join(sorted(domains))}.",
                field="notice.kind",
            )
        notice = uow.notices.new(
            kind=body.notice.kind,
            business_id=caller.business_id,
            organisation_name=body.organisation_name,
            details=details,
            effective_on=effective_on,
            routed_to_kela=routed,
            state=NoticeState.RECEIVED,
            filed_by=caller.client_id,
            created_at=now,
        )
        entry = _history(uow, notice, caller, action="filed", old_state=None, at=now)
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
    return views.notice_public(notice, [entry])


def _history(
    uow: RegistrationUoW,
    notice: NoticeRecord,
    caller: Principal,
    *,
    action: str,
    old_state: str | None,
    at: datetime,
) -> NoticeHistoryRecord:
    return uow.notices.new_history(
        notice_id=notice.id,
        at=at,
        actor=caller.client_id,
        role=caller.role,
        action=action,
        old_state=old_state,
        new_state=notice.state,
    )


async def _visible(
    uow: RegistrationUoW, notice_id: uuid.UUID, caller: Principal, *, for_update: bool = False
) -> NoticeRecord:
    notice = await uow.notices.get(notice_id=notice_id, for_update=for_update)
    if notice is None or not caller.may_see(notice.business_id):
        raise errors.NOTICE_NOT_FOUND(f"No notice {notice_id}.")
    return notice


async def get_notice(
    notice_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal
) -> NoticePublic:
    """A notice the caller may see, with its history."""
    async with uow:
        notice = await _visible(uow, notice_id, caller)
        return views.notice_public(notice, await uow.notices.list_history(notice_id=notice_id))


async def list_notices(
    uow: RegistrationUoW,
    *,
    caller: Principal,
    state: str | None,
    kind: str | None,
    routed_to_kela: bool | None,
    cursor: str | None,
    limit: int,
) -> NoticePage:
    """A page of the notices the caller may see, oldest first."""
    filters = NoticeFilters(
        business_id=None if caller.is_staff else caller.business_id,
        state=state,
        kind=kind,
        routed_to_kela=routed_to_kela,
    )
    after = decode_cursor(cursor) if cursor is not None else None
    async with uow:
        rows = list(await uow.notices.list_page(filters=filters, after=after, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return NoticePage(items=[views.notice_public(n) for n in rows], next_cursor=next_cursor)


async def acknowledge_notice(
    notice_id: uuid.UUID, uow: RegistrationUoW, *, caller: Principal, clock: Clock
) -> NoticePublic:
    """Staff acknowledge a received notice, once: the row lock makes a parallel twin wait and
    then find it acknowledged (409), so there is one history entry and one event."""
    now = clock.now()
    async with uow:
        notice = await _visible(uow, notice_id, caller, for_update=True)
        if notice.state != NoticeState.RECEIVED:
            raise errors.INVALID_TRANSITION(f"Notice {notice_id} is already {notice.state}.")
        notice.state = NoticeState.ACKNOWLEDGED
        notice.acknowledged_at = now
        notice.acknowledged_by = caller.client_id
        _history(uow, notice, caller, action="acknowledged", old_state=NoticeState.RECEIVED, at=now)
        uow.emit(
            NoticeAcknowledged(
                notice_id=notice.id,
                kind=notice.kind,
                business_id=notice.business_id,
                organisation_name=notice.organisation_name,
                details=notice.details,
                effective_on=notice.effective_on,
                acknowledged_by=caller.client_id,
            )
        )
        await uow.commit()
        return views.notice_public(notice, await uow.notices.list_history(notice_id=notice_id))
