"""Rendering a stored mail again for a staff resend, from the current state (#14.4).

A mail keeps the context it was rendered from. A resend renders that context again with
today's templates; a mail about a session takes the session's newest snapshot and the
person's entry as last heard (UID, SEQUENCE, seat), so the copy shows the current time and
carries the current SEQUENCE, never the old rendering.
"""

from __future__ import annotations

from datetime import datetime

from services.notifications.adapters.ics import EventStatus, Method, build_calendar, entry_of
from services.notifications.adapters.rendering.contexts import SessionContext
from services.notifications.adapters.rendering.registry import TEMPLATES
from services.notifications.adapters.rendering.render import render
from services.notifications.app.ports import MailRecord
from services.notifications.domain.mail import Rendition
from services.notifications.domain.sessions import EntryState, current_session_mail
from shared.clock import helsinki_date
from shared.contracts.scheduling import SessionInfo


def rerender_mail(
    mail: MailRecord,
    *,
    session: SessionInfo | None,
    entry: EntryState | None,
    organizer: str,
    organizer_name: str,
    contact: str | None,
    now: datetime,
) -> Rendition | None:
    """The mail rendered again from the current state; None for a mail stored without its
    context (from before contexts were kept): that one is copied as it was."""
    today = helsinki_date(now)
    spec = TEMPLATES.get(mail.template)
    if mail.render_context is None or spec is None:
        return None
    context = spec.context.model_validate_json(mail.render_context)
    if not isinstance(context, SessionContext):
        rendered = render(
            mail.template, context, language=mail.language, today=today, contact=contact
        )
        return Rendition(
            template=rendered.template,
            language=rendered.language,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            render_context=mail.render_context,
        )
    current = session or context.session
    choice = current_session_mail(
        mail.template, session_cancelled=current.status == "cancelled", entry=entry
    )
    person = entry.participant if entry is not None else None
    fresh = SessionContext(
        contact_name=person.name if person is not None else context.contact_name,
        session=current,
        position=entry.position if entry is not None else context.position,
        # The reason of a cancellation belongs to that cancellation only.
        note=context.note if choice.template == mail.template else None,
        feed_url=context.feed_url,
        waiting=person.seat == "waiting" if person is not None else context.waiting,
    )
    rendered = render(choice.template, fresh, language=mail.language, today=today, contact=contact)
    calendar = None
    if choice.method is not None and choice.status is not None:
        uid, sequence = (
            entry_of(person, current) if person is not None else (current.uid, current.sequence)
        )
        calendar = build_calendar(
            current,
            method=Method(choice.method),
            status=EventStatus(choice.status),
            organizer=organizer,
            organizer_name=organizer_name,
            attendee=mail.recipient,
            attendee_name=fresh.contact_name,
            language=rendered.language,
            stamp=now,
            description=current.online_url or "",
            uid=uid,
            sequence=sequence,
        )
    return Rendition(
        template=rendered.template,
        language=rendered.language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        render_context=fresh.model_dump_json(),
        calendar=calendar,
        calendar_method=choice.method,
    )
