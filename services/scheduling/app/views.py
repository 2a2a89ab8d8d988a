"""The one place where rows become response models and event snapshots."""

from __future__ import annotations

from services.scheduling.app.records import (
    EnrolmentRecord,
    PeriodRecord,
    RegistrationRecord,
    SessionRecord,
)
from services.scheduling.app.schemas import (
    AudienceIn,
    EnrolmentPublic,
    KnownRegistrationPublic,
    ParticipantPublic,
    PeriodPublic,
    SessionPublic,
    Title,
)
from services.scheduling.domain.calendar_entries import CalendarEntry
from services.scheduling.domain.states import EnrolmentStatus
from shared.contracts.common import Participant, PeriodRef
from shared.contracts.scheduling import Audience, LocalizedText, PeriodInfo, SessionInfo


def period_info(period: PeriodRecord) -> PeriodInfo:
    """A period as events carry it."""
    return PeriodInfo(
        period_id=period.id,
        year=period.year,
        number=period.number,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        registration_opens_on=period.registration_opens_on,
        registration_closes_on=period.registration_closes_on,
    )


def session_info(row: SessionRecord, period: PeriodRecord) -> SessionInfo:
    """A session as events carry it."""
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


def calendar_uid(enrolment: EnrolmentRecord) -> str:
    """The UID of the person's own calendar entry (rows from before it was kept: by id)."""
    return enrolment.calendar_uid or f"{enrolment.id}@scheduling.kanta.example"


def participant(enrolment: EnrolmentRecord, *, seat: str | None = None) -> Participant:
    """An enrolled person as events carry them, with their own calendar entry; `seat` is
    what they held (for a cancelled enrolment: before it ended)."""
    held = seat or ("waiting" if enrolment.status == EnrolmentStatus.WAITLISTED else "confirmed")
    return Participant.model_validate(
        {
            "enrolment_id": enrolment.id,
            "registration_id": enrolment.registration_id,
            "name": enrolment.name,
            "email": enrolment.email,
            "language": enrolment.language,
            "role": enrolment.role,
            "seat": held,
            "calendar_uid": calendar_uid(enrolment),
            "calendar_sequence": enrolment.calendar_sequence,
        }
    )


def session_public(row: SessionRecord, counts: dict[str, int] | None = None) -> SessionPublic:
    """A session as the API shows it, with its seat counts (`count_seats`' entry)."""
    counts = counts or {}
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
            "seats_taken": counts.get("confirmed", 0),
            "waiting": counts.get("waitlisted", 0),
            "audience": AudienceIn.model_validate(row.audience),
            "status": row.status,
        }
    )


def period_public(
    period: PeriodRecord, sessions: list[SessionPublic] | None = None
) -> PeriodPublic:
    """A period as the API shows it, with the sessions given."""
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


def enrolment_public(enrolment: EnrolmentRecord, *, position: int | None = None) -> EnrolmentPublic:
    """An enrolment as the API shows it; `position` in the waiting list (1 is next)."""
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


def known_registration_public(row: RegistrationRecord) -> KnownRegistrationPublic:
    """What scheduling knows of a registration, as the API shows it."""
    return KnownRegistrationPublic(
        registration_id=row.registration_id,
        organisation_name=row.organisation_name,
        business_id=row.business_id,
        state=row.state,
        participants=[ParticipantPublic.model_validate(p) for p in row.participants],
        submitted_at=row.submitted_at,
        received_at=row.received_at,
    )


def calendar_entry(
    row: SessionRecord,
    period: PeriodRecord,
    *,
    cancelled: bool = False,
    enrolment: EnrolmentRecord | None = None,
) -> CalendarEntry:
    """A session as a calendar file shows it; `cancelled` also when only the attendee was.

    With `enrolment`, the person's own entry: its UID and SEQUENCE, tentative while waiting.
    """
    return CalendarEntry(
        uid=row.uid if enrolment is None else calendar_uid(enrolment),
        sequence=row.sequence if enrolment is None else enrolment.calendar_sequence,
        created_at=row.created_at,
        updated_at=row.updated_at,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        kind=row.kind,
        language=row.language,
        title_fi=row.title_fi,
        title_sv=row.title_sv,
        title_en=row.title_en,
        online_url=row.online_url,
        place=row.place,
        status=row.status,
        period_year=period.year,
        period_number=period.number,
        cancelled=cancelled,
        tentative=enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED,
    )
