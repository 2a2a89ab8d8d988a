"""Rows turned into what events and responses carry."""

from __future__ import annotations

from services.scheduling.models import Enrolment, Period
from services.scheduling.models import Session as SessionRow
from services.scheduling.schemas import (
    AudienceIn,
    EnrolmentPublic,
    PeriodPublic,
    SessionPublic,
    Title,
)
from shared.contracts.common import Participant, PeriodRef
from shared.contracts.scheduling import Audience, LocalizedText, PeriodInfo, SessionInfo


def period_info(period: Period) -> PeriodInfo:
    return PeriodInfo(
        period_id=period.id,
        year=period.year,
        number=period.number,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        registration_opens_on=period.registration_opens_on,
        registration_closes_on=period.registration_closes_on,
    )


def session_info(row: SessionRow, period: Period) -> SessionInfo:
    return SessionInfo.model_validate(
        {
            "session_id": row.id,
            "uid": row.uid,
            "sequence": row.sequence,
            "period_id": period.id,
            "period": PeriodRef(year=period.year, number=period.number),
            "kind": row.kind,
            "title": LocalizedText(fi=row.title_fi, sv=row.title_sv, en=row.title_en),
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "online_url": row.online_url,
            "place": row.place,
            "language": row.language,
            "capacity": row.capacity,
            "audience": Audience.model_validate(row.audience),
            "status": row.status,
        }
    )


def participant(enrolment: Enrolment) -> Participant:
    return Participant.model_validate(
        {
            "enrolment_id": enrolment.id,
            "registration_id": enrolment.registration_id,
            "name": enrolment.name,
            "email": enrolment.email,
            "language": enrolment.language,
            "role": enrolment.role,
        }
    )


def session_public(row: SessionRow, *, confirmed: int = 0, waiting: int = 0) -> SessionPublic:
    return SessionPublic.model_validate(
        {
            "id": row.id,
            "period_id": row.period_id,
            "uid": row.uid,
            "sequence": row.sequence,
            "kind": row.kind,
            "title": Title(fi=row.title_fi, sv=row.title_sv, en=row.title_en),
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "online_url": row.online_url,
            "place": row.place,
            "language": row.language,
            "capacity": row.capacity,
            "seats_taken": confirmed,
            "waiting": waiting,
            "audience": AudienceIn.model_validate(row.audience),
            "status": row.status,
        }
    )


def period_public(period: Period, sessions: list[SessionPublic] | None = None) -> PeriodPublic:
    return PeriodPublic.model_validate(
        {
            "id": period.id,
            "year": period.year,
            "number": period.number,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "registration_opens_on": period.registration_opens_on,
            "registration_closes_on": period.registration_closes_on,
            "status": period.status,
            "sessions": sessions or [],
        }
    )


def enrolment_public(enrolment: Enrolment, *, position: int | None = None) -> EnrolmentPublic:
    return EnrolmentPublic.model_validate(
        {
            "id": enrolment.id,
            "session_id": enrolment.session_id,
            "registration_id": enrolment.registration_id,
            "business_id": enrolment.business_id,
            "name": enrolment.name,
            "email": enrolment.email,
            "language": enrolment.language,
            "role": enrolment.role,
            "status": enrolment.status,
            "position": position,
            "created_at": enrolment.created_at,
        }
    )
