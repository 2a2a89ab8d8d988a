"""#14.2/#14.3: iMIP mails as calendar clients expect them, read from the real SMTP server.

Every person's entry is their own (scheduling's `calendar_uid` and `calendar_sequence`);
waiting participants hold a tentative entry that follows reschedules and is cancelled with
the session; each calendar object is parsed by `icalendar` and by `vobject` (which reads the
VTIMEZONE block itself) and must give the instant `zoneinfo` gives.
"""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
import vobject  # type: ignore[import-untyped]

from shared.clock import HELSINKI
from shared.contracts import scheduling as sch
from shared.contracts.common import Participant
from shared.events import EventPayload, make_envelope
from tests.dates import helsinki, period_of_year, session_day
from tests.integration.test_notifications_delivery import (
    Amqp,
    MakeSettings,
    publish,
    service,
    settings_for,
)
from tests.integration.test_notifications_mails import YEAR, person, records, session_info
from tests.support import CapturingHandler, submitted_event

SENDER = "kayttoonotot@kanta.example"


def imip_parts(message: EmailMessage) -> tuple[EmailMessage, EmailMessage, EmailMessage]:
    """(the multipart/alternative, its text/calendar part, the application/ics attachment)."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = list(message.iter_parts())
    assert isinstance(alternative, EmailMessage) and isinstance(attachment, EmailMessage)
    assert alternative.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    calendar = list(alternative.iter_parts())[2]
    assert isinstance(calendar, EmailMessage)
    assert attachment.get_content_type() == "application/ics"
    assert str(attachment.get_filename()).endswith(".ics")
    return alternative, calendar, attachment


def entry(message: EmailMessage) -> tuple[str, Any, Any]:
    """The part's method parameter, the object by icalendar and by vobject."""
    _, part, attachment = imip_parts(message)
    text = part.get_content()
    assert "RDATE" not in text
    assert attachment.get_content().decode("utf-8") == text
    return str(part.get_param("method")), icalendar.Calendar.from_ical(text), vobject.readOne(text)


def participant(registration_id: uuid.UUID, language: str, **fields: Any) -> Participant:
    contact = person(language)  # type: ignore[arg-type]
    return Participant(
        enrolment_id=uuid.uuid4(),
        registration_id=registration_id,
        name=contact.name,
        email=contact.email,
        language=contact.language,
        **fields,
    )


async def test_each_person_gets_their_own_entry_and_waiting_ones_follow_the_session(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    registration = submitted_event(contacts=[])
    rid = registration.registration_id
    # A summer session: Helsinki is at +03:00, where an RDATE-less reader errs if it errs.
    starts = helsinki(session_day(period_of_year(YEAR, 2), offset_days=40), "10:00")
    first = session_info(sequence=0, starts_at=starts, ends_at=starts + timedelta(hours=2))
    seated = participant(rid, "fi", calendar_uid="seat-a@kanta.example", calendar_sequence=0)
    waiting = participant(
        rid, "sv", seat="waiting", calendar_uid="wait-b@kanta.example", calendar_sequence=0
    )
    leaving = participant(rid, "en", calendar_uid="seat-c@kanta.example", calendar_sequence=0)
    moved = first.model_copy(
        update={
            "sequence": 1,
            "starts_at": starts + timedelta(days=1),
            "ends_at": starts + timedelta(days=1, hours=2),
        }
    )
    cancelled = moved.model_copy(update={"sequence": 2, "status": "cancelled"})
    raised = {"calendar_sequence": 1}
    events: list[EventPayload] = [
        sch.EnrolmentConfirmed(enrolment_id=seated.enrolment_id, participant=seated, session=first),
        sch.EnrolmentWaitlisted(
            enrolment_id=waiting.enrolment_id, participant=waiting, session=first, position=1
        ),
        sch.EnrolmentConfirmed(
            enrolment_id=leaving.enrolment_id, participant=leaving, session=first
        ),
        # A per-person CANCEL carries the person's raised SEQUENCE, not the session's.
        sch.EnrolmentCancelled(
            enrolment_id=leaving.enrolment_id,
            participant=leaving.model_copy(update={"calendar_sequence": 3}),
            session=first,
        ),
        sch.SessionRescheduled(
            session=moved,
            changes={
                "starts_at": {
                    "old": first.starts_at.isoformat(),
                    "new": moved.starts_at.isoformat(),
                }
            },
            participants=[seated.model_copy(update=raised), waiting.model_copy(update=raised)],
        ),
        sch.SessionCancelled(
            session=cancelled,
            participants=[
                seated.model_copy(update={"calendar_sequence": 2}),
                waiting.model_copy(update={"calendar_sequence": 2}),
            ],
        ),
    ]
    # (recipient, template) → (METHOD, UID, SEQUENCE, STATUS, start)
    expected = {
        (seated.email, "enrolment_confirmed"): ("REQUEST", seated, 0, "CONFIRMED", first),
        (waiting.email, "enrolment_waitlisted"): ("REQUEST", waiting, 0, "TENTATIVE", first),
        (leaving.email, "enrolment_confirmed"): ("REQUEST", leaving, 0, "CONFIRMED", first),
        (leaving.email, "enrolment_cancelled"): ("CANCEL", leaving, 3, "CANCELLED", first),
        (seated.email, "session_rescheduled"): ("REQUEST", seated, 1, "CONFIRMED", moved),
        (waiting.email, "session_rescheduled"): ("REQUEST", waiting, 1, "TENTATIVE", moved),
        (seated.email, "session_cancelled"): ("CANCEL", seated, 2, "CANCELLED", cancelled),
        (waiting.email, "session_cancelled"): ("CANCEL", waiting, 2, "CANCELLED", cancelled),
    }

    async with service(settings) as (_, client):
        for event in events:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        by_message_id = await records(client, len(expected))

    seen = {}
    for message in server.messages:
        record = by_message_id[message["Message-ID"]]
        seen[(record["recipient"], record["template"])] = message
    assert set(seen) == set(expected)
    for key, (method, who, sequence, status, session) in expected.items():
        parameter, parsed, read = entry(seen[key])
        assert parameter == method == parsed["METHOD"] == read.method.value, key
        [event] = parsed.events
        assert str(event["UID"]) == who.calendar_uid, key
        assert event["SEQUENCE"] == sequence, key
        assert event["STATUS"] == status, key
        assert str(event["ORGANIZER"]) == f"mailto:{SENDER}", key
        assert str(event["ATTENDEE"]) == f"mailto:{key[0]}", key
        assert [tz["TZID"] for tz in parsed.timezones] == ["Europe/Helsinki"]
        # An independent reader of the VTIMEZONE block gives the instant zoneinfo gives.
        start = read.vevent.dtstart.value
        assert start.astimezone(UTC) == session.starts_at.astimezone(UTC), key
        assert start.astimezone(HELSINKI).hour == session.starts_at.astimezone(HELSINKI).hour
        assert read.vevent.uid.value == who.calendar_uid
    waiting_text = seen[(waiting.email, "session_rescheduled")].get_body(("plain",))
    assert waiting_text is not None and "reservlistan" in waiting_text.get_content()


async def test_old_events_without_a_personal_entry_fall_back_to_the_sessions(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    day = session_day(period_of_year(YEAR, 1))
    info = session_info(sequence=4, starts_at=helsinki(day, "09:00"))
    old = participant(uuid.uuid4(), "fi")
    event = sch.EnrolmentConfirmed(enrolment_id=old.enrolment_id, participant=old, session=info)

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        await records(client, 1)

    [message] = server.messages
    _, parsed, _ = entry(message)
    [vevent] = parsed.events
    assert (str(vevent["UID"]), vevent["SEQUENCE"]) == (info.uid, 4)


async def test_a_staff_resend_renders_the_current_time_and_sequence(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    """#14.4: after a reschedule, "resend" of the invitation carries the new time and SEQUENCE."""
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    day = session_day(period_of_year(YEAR, 1))
    first = session_info(sequence=0, starts_at=helsinki(day, "09:00"))
    moved = first.model_copy(
        update={
            "sequence": 1,
            "starts_at": helsinki(day, "13:00"),
            "ends_at": helsinki(day, "15:00"),
        }
    )
    who = participant(uuid.uuid4(), "fi", calendar_uid="own@kanta.example", calendar_sequence=0)
    invited = sch.EnrolmentConfirmed(enrolment_id=who.enrolment_id, participant=who, session=first)
    rescheduled = sch.SessionRescheduled(
        session=moved,
        changes={
            "starts_at": {"old": first.starts_at.isoformat(), "new": moved.starts_at.isoformat()}
        },
        participants=[who.model_copy(update={"calendar_sequence": 1})],
    )

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(invited, producer="test"))
        [invitation] = (await records(client, 1)).values()
        await publish(amqp_connection, settings, make_envelope(rescheduled, producer="test"))
        await records(client, 2)
        resent = await client.post(f"/v1/deliveries/{invitation['id']}/resend")
        assert resent.status_code == 201, resent.text
        copy = resent.json()
        by_message_id = await records(client, 3)
        detail = (await client.get(f"/v1/deliveries/{copy['id']}")).json()

    assert copy["resend_of"] == invitation["id"]
    assert copy["template"] == "enrolment_confirmed"
    [message] = [m for m in server.messages if m["Message-ID"] == copy["message_id"]]
    assert by_message_id[message["Message-ID"]]["id"] == copy["id"]
    method, parsed, read = entry(message)
    [event] = parsed.events
    assert method == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"]) == ("own@kanta.example", 1)
    assert read.vevent.dtstart.value.astimezone(UTC) == moved.starts_at
    body = message.get_body(("plain",))
    assert body is not None and "13.00" in body.get_content() and "9.00" not in body.get_content()
    assert "13.00" in detail["text"]


async def test_the_session_wide_resend_signal_sends_the_current_invitation(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    """#14.4: scheduling's `resend` of an enrolment is rendered fresh from its event."""
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    day = session_day(period_of_year(YEAR, 1))
    info = session_info(sequence=5, starts_at=helsinki(day, "10:00"))
    who = participant(uuid.uuid4(), "en", calendar_uid="mine@kanta.example", calendar_sequence=2)
    waits = participant(
        uuid.uuid4(), "sv", seat="waiting", calendar_uid="queue@kanta.example", calendar_sequence=1
    )
    events: list[EventPayload] = [
        sch.EnrolmentConfirmed(
            enrolment_id=who.enrolment_id, participant=who, session=info, resend=True
        ),
        sch.EnrolmentWaitlisted(
            enrolment_id=waits.enrolment_id,
            participant=waits,
            session=info,
            position=2,
            resend=True,
        ),
    ]

    async with service(settings) as (_, client):
        for event in events:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        await records(client, 2)

    found = {}
    for message in server.messages:
        _, parsed, _ = entry(message)
        [vevent] = parsed.events
        found[str(vevent["UID"])] = (vevent["SEQUENCE"], str(vevent["STATUS"]))
    assert found == {
        "mine@kanta.example": (2, "CONFIRMED"),
        "queue@kanta.example": (1, "TENTATIVE"),
    }
