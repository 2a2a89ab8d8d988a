"""Mails of the scheduling events, to participants, with iMIP calendar objects.

Periods and sessions are kept as read models (for the acceptance mail); enrolment and
session events mail each participant in their language. Events about a registration this
service has not heard of still mail; the record then has no business ID (staff only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, TypeAdapter, ValidationError

from services.notifications.adapters.ics import EventStatus, Method, build_calendar, entry_of
from services.notifications.adapters.rendering.contexts import Change, SessionContext
from services.notifications.adapters.rendering.registry import LANGUAGES
from services.notifications.adapters.rendering.render import render
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app.mailer import Mailer
from services.notifications.app.queueing import Outgoing, queue_mails, unique_addresses
from services.notifications.domain.mail import choose_language, normalise_address
from services.notifications.domain.sessions import change_order
from shared.clock import Clock, helsinki_date
from shared.contracts.common import Participant
from shared.contracts.scheduling import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentEvent,
    EnrolmentPromoted,
    EnrolmentWaitlisted,
    PeriodInfo,
    SessionCancelled,
    SessionInfo,
    SessionRescheduled,
)
from shared.events import Envelope


@dataclass(frozen=True)
class CalendarPart:
    """The iMIP part a mail carries: its METHOD and the event's STATUS."""

    method: Method
    status: EventStatus


# The mail each enrolment event sends its participant, and the calendar object it carries.
ENROLMENT_MAILS: dict[str, tuple[str, CalendarPart | None]] = {
    "enrolment.confirmed": (
        "enrolment_confirmed",
        CalendarPart(Method.REQUEST, EventStatus.CONFIRMED),
    ),
    "enrolment.waitlisted": (
        "enrolment_waitlisted",
        CalendarPart(Method.REQUEST, EventStatus.TENTATIVE),
    ),
    "enrolment.promoted": (
        "enrolment_promoted",
        CalendarPart(Method.REQUEST, EventStatus.CONFIRMED),
    ),
    "enrolment.cancelled": (
        "enrolment_cancelled",
        CalendarPart(Method.CANCEL, EventStatus.CANCELLED),
    ),
    "session.reminder_due": ("session_reminder", None),
}


async def on_period_event(
    uow: NotificationsUnitOfWork, period: PeriodInfo, envelope: Envelope, *, clock: Clock
) -> None:
    """Keep the period's dates for the mails that name it."""
    await uow.read_models.remember_period(period=period, now=clock.now())


async def on_session_published(
    uow: NotificationsUnitOfWork, session: SessionInfo, envelope: Envelope, *, clock: Clock
) -> None:
    """Keep the session for acceptance mails; nobody is enrolled yet, so nobody is mailed."""
    await uow.read_models.remember_session(info=session, now=clock.now())


async def on_session_changed(
    uow: NotificationsUnitOfWork,
    event: SessionRescheduled | SessionCancelled,
    envelope: Envelope,
    *,
    mailer: Mailer,
    clock: Clock,
) -> int:
    """Tell each participant what changed (or that it is cancelled), with an updated .ics."""
    now = clock.now()
    await uow.read_models.remember_session(info=event.session, now=now)
    if isinstance(event, SessionRescheduled):
        template = "session_rescheduled"
        method = Method.REQUEST
        changes = [
            Change(
                field=name,
                old=_readable(name, event.changes[name].old),
                new=_readable(name, event.changes[name].new),
            )
            for name in change_order(event.changes)
        ]
        extra: dict[str, Any] = {"changes": changes}
    else:
        template = "session_cancelled"
        method = Method.CANCEL
        extra = {"note": event.note}
    participants = list(unique_addresses((str(p.email), p) for p in event.participants))
    for _, person in participants:
        await _remember_entry(
            uow, person, event.session, live=method is Method.REQUEST, position=None, now=now
        )
    owners = await uow.read_models.find_business_ids(
        registration_ids={p.registration_id for _, p in participants}
    )
    # Everyone who holds an entry hears of it: a waiting person's tentative entry moves with
    # the session (and stays tentative), and is removed when the session is cancelled.
    outgoing = [
        _session_mail(
            template,
            SessionContext(
                contact_name=person.name,
                session=event.session,
                waiting=person.seat == "waiting",
                **extra,
            ),
            address=address,
            participant=person,
            session=event.session,
            business_id=owners.get(person.registration_id),
            part=CalendarPart(method, _status(method, person)),
            envelope=envelope,
            mailer=mailer,
            today=helsinki_date(now),
        )
        for address, person in participants
    ]
    return await queue_mails(uow, envelope=envelope, outgoing=outgoing, mailer=mailer, now=now)


async def on_enrolment_event(
    uow: NotificationsUnitOfWork,
    event: EnrolmentEvent,
    envelope: Envelope,
    *,
    mailer: Mailer,
    clock: Clock,
) -> int:
    """Mail the participant: an invitation, a waiting-list notice, a promotion, a reminder…"""
    now = clock.now()
    await uow.read_models.remember_session(info=event.session, now=now)
    template, part = ENROLMENT_MAILS[envelope.event_type]
    person = event.participant
    # The event says where the person stands, whatever an older producer left in `seat`.
    if isinstance(event, EnrolmentWaitlisted):
        person = person.model_copy(update={"seat": "waiting"})
    elif isinstance(event, EnrolmentConfirmed | EnrolmentPromoted):
        person = person.model_copy(update={"seat": "confirmed"})
    position = event.position if isinstance(event, EnrolmentWaitlisted) else None
    await _remember_entry(
        uow,
        person,
        event.session,
        live=not isinstance(event, EnrolmentCancelled),
        position=position,
        now=now,
    )
    owners = await uow.read_models.find_business_ids(registration_ids={person.registration_id})
    context = SessionContext(
        contact_name=person.name,
        session=event.session,
        position=position,
        waiting=person.seat == "waiting",
        note=event.reason if isinstance(event, EnrolmentCancelled) else None,
        feed_url=event.feed_url,
    )
    mail = _session_mail(
        template,
        context,
        address=normalise_address(str(person.email)),
        participant=person,
        session=event.session,
        business_id=owners.get(person.registration_id),
        part=part,
        envelope=envelope,
        mailer=mailer,
        today=helsinki_date(now),
    )
    return await queue_mails(uow, envelope=envelope, outgoing=[mail], mailer=mailer, now=now)


def _session_mail(
    template: str,
    context: SessionContext,
    *,
    address: str,
    participant: Participant,
    session: SessionInfo,
    business_id: str | None,
    part: CalendarPart | None,
    envelope: Envelope,
    mailer: Mailer,
    today: date,
) -> Outgoing:
    language = choose_language(participant.language, LANGUAGES)
    calendar = None
    if part is not None:
        uid, sequence = entry_of(participant, session)
        calendar = build_calendar(
            session,
            method=part.method,
            status=part.status,
            organizer=mailer.organizer,
            organizer_name=mailer.organizer_name,
            attendee=address,
            attendee_name=participant.name,
            language=language,
            stamp=envelope.occurred_at,
            description=session.online_url or "",
            uid=uid,
            sequence=sequence,
        )
    return Outgoing(
        recipient=address,
        rendered=render(
            template, context, language=language, today=today, contact=mailer.contact_address
        ),
        registration_id=participant.registration_id,
        business_id=business_id,
        calendar=calendar,
        calendar_method=part.method.value if part else None,
        render_context=context.model_dump_json(),
        session_id=session.session_id,
        enrolment_id=participant.enrolment_id,
    )


async def _remember_entry(
    uow: NotificationsUnitOfWork,
    person: Participant,
    session: SessionInfo,
    *,
    live: bool,
    position: int | None,
    now: datetime,
) -> None:
    """Keep the person's entry as this event leaves it (for a staff resend, #14.4)."""
    _, sequence = entry_of(person, session)
    await uow.read_models.remember_entry(
        participant=person,
        session_id=session.session_id,
        sequence=sequence,
        live=live,
        position=position,
        now=now,
    )


def _status(method: Method, person: Participant) -> EventStatus:
    """The STATUS of a person's entry: cancelled, tentative while waiting, else confirmed."""
    if method is Method.CANCEL:
        return EventStatus.CANCELLED
    return EventStatus.TENTATIVE if person.seat == "waiting" else EventStatus.CONFIRMED


_INSTANT: TypeAdapter[datetime] = TypeAdapter(AwareDatetime)


def _readable(field: str, value: Any) -> Any:
    """A changed time as an instant (to format in the mail's language); the rest as it came."""
    if field in ("starts_at", "ends_at") and value is not None:
        try:
            return _INSTANT.validate_python(value)
        except ValidationError:
            return str(value)
    return value
