"""Every mail end to end: events published to RabbitMQ, mails read back from the SMTP server.

Recipients, the language of each subject, the Message-ID of each record, and the calendar
objects parsed with `icalendar` (METHOD, UID, SEQUENCE). Odd but valid events mail what they
can; invalid ones land in the dead-letter queue with the reason.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import icalendar
import pytest
from fastapi import FastAPI
from sqlmodel import select

from services.notifications.adapters.tables import KnownSession
from shared.contracts import registration as reg
from shared.contracts import scheduling as sch
from shared.contracts.common import Contact, Language, Participant, PeriodRef
from shared.events import EventPayload, make_envelope
from shared.messaging.inbox import REASON_HEADER
from tests.dates import helsinki, next_year, period_of_year, session_day
from tests.integration.test_notifications_delivery import (
    Amqp,
    MakeSettings,
    NotificationsRuntime,
    long_date,
    publish,
    service,
    settings_for,
)
from tests.support import CapturingHandler, bearer, eventually, submitted_event, unique

ORG_A = "2077474-0"
STAFF_MAILBOX = "kayttoonotot-staff@kanta.example"
YEAR = next_year()
PERIOD = PeriodRef(year=YEAR, number=1)
PERIOD_DATES = period_of_year(YEAR, 1)
PERIOD_ID = uuid.uuid4()
SESSION_DAY = session_day(PERIOD_DATES)  # a working day in winter: Helsinki is at +02:00
STARTS = helsinki(SESSION_DAY, "09:00")


def person(language: Language) -> Contact:
    return Contact(
        name=f"Henkilö {language}", email=f"{unique(language)}@example.fi", language=language
    )


def session_info(sequence: int = 0, **overrides: Any) -> sch.SessionInfo:
    values: dict[str, Any] = {
        "session_id": uuid.uuid4(),
        "uid": f"{unique('session')}@kanta.example",
        "sequence": sequence,
        "period_id": PERIOD_ID,
        "period": PERIOD,
        "kind": "training",
        "title": {"fi": "Toimintamallikoulutus", "sv": "Utbildning i arbetssätt", "en": "Training"},
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=2),
        "online_url": "https://meet.kanta.example/t",
        "place": None,
        "language": "fi",
        "capacity": 2,
        **overrides,
    }
    return sch.SessionInfo.model_validate(values)


def later(
    base: reg.RegistrationSubmitted, model: type[reg.RegistrationEvent], **extra: Any
) -> EventPayload:
    """The same registration's snapshot in a later event."""
    snapshot = base.model_dump(mode="json", exclude={"submitted_at"})
    return model.model_validate({**snapshot, **extra})


def calendar_of(message: EmailMessage) -> tuple[EmailMessage, icalendar.Calendar] | None:
    """The iMIP part (`text/calendar`, inside the multipart/alternative) and its object."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            assert isinstance(part, EmailMessage)
            return part, icalendar.Calendar.from_ical(part.get_content())
    return None


async def records(client: httpx.AsyncClient, count: int) -> dict[str, dict[str, Any]]:
    """Every delivery record by Message-ID, once there are `count` and all are sent."""

    async def check() -> dict[str, dict[str, Any]] | None:
        items = (await client.get("/v1/deliveries", params={"limit": 200})).json()["items"]
        done = len(items) == count and all(i["status"] == "sent" for i in items)
        return {i["message_id"]: i for i in items} if done else None

    found: dict[str, dict[str, Any]] = await eventually(
        check, timeout=15, what=f"{count} mails sent"
    )
    return found


async def known_sessions(app: FastAPI) -> int:
    runtime: NotificationsRuntime = app.state.runtime
    async with runtime.sessions() as session:
        return len((await session.exec(select(KnownSession))).all())


SUBJECTS: dict[str, dict[str, str]] = {
    "registration_received": {
        "fi": "Ilmoittautumisenne on vastaanotettu",
        "sv": "Er anmälan har tagits emot",
        "en": "Your registration has been received",
    },
    "registration_accepted": {
        "fi": "Ilmoittautumisenne on hyväksytty",
        "sv": "Er anmälan har godkänts",
        "en": "Your registration has been accepted",
    },
    "registration_rejected": {
        "fi": "Ilmoittautumistanne ei hyväksytty",
        "sv": "Er anmälan har inte godkänts",
        "en": "Your registration was not accepted",
    },
    "registration_returned": {
        "fi": "palautettiin täydennettäväksi",
        "sv": "returnerats för komplettering",
        "en": "returned for changes",
    },
    "registration_moved": {
        "fi": "siirrettiin toiselle",
        "sv": "flyttats till en annan införandeperiod",
        "en": "moved to another deployment period",
    },
    "registration_withdrawn": {
        "fi": "Ilmoittautumisenne on peruttu",
        "sv": "Er anmälan har återkallats",
        "en": "Your registration has been withdrawn",
    },
    "enrolment_confirmed": {"fi": "Kutsu:", "sv": "Inbjudan:", "en": "Invitation:"},
    "enrolment_waitlisted": {"fi": "Varasijalla:", "sv": "Reservplats:", "en": "Waiting list:"},
    "enrolment_promoted": {"fi": "Paikka vapautui:", "sv": "En plats blev ledig:", "en": "A place"},
    "enrolment_cancelled": {
        "fi": "Osallistumisenne on peruttu",
        "sv": "Ert deltagande har avbokats",
        "en": "Your enrolment has been cancelled",
    },
    "session_rescheduled": {"fi": "Muutos:", "sv": "Ändring:", "en": "Changed:"},
    "session_cancelled": {"fi": "Peruttu:", "sv": "Inställt:", "en": "Cancelled:"},
    "session_reminder": {"fi": "Muistutus:", "sv": "Påminnelse:", "en": "Reminder:"},
}


async def test_registration_mails_reach_every_contact_in_their_language(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port, staff_mailbox=STAFF_MAILBOX)
    people = [person("fi"), person("sv"), person("en")]
    submitted = submitted_event(contacts=people, registration_required=False)
    for_everyone = session_info()
    for_social_welfare = session_info(
        title={"fi": "Sosiaalihuollon koulutus", "sv": "Socialvård"},
        audience={"domains": ["social_welfare"]},
    )
    period = sch.PeriodPublished.model_validate({"period_id": PERIOD_ID, **PERIOD_DATES})
    starts_on = date.fromisoformat(PERIOD_DATES["starts_on"])
    ends_on = date.fromisoformat(PERIOD_DATES["ends_on"])
    lifecycle: list[EventPayload] = [
        submitted,
        later(submitted, reg.RegistrationAccepted, state="accepted"),
        later(submitted, reg.RegistrationRejected, state="rejected", note="Väärä palvelu."),
        later(submitted, reg.RegistrationReturned, state="returned", note="Lisää liityntäpiste."),
        later(
            submitted,
            reg.RegistrationMoved,
            state="moved",
            from_period={"year": YEAR - 1, "number": 3},
            note=f"Jakso 3/{YEAR - 1} on täynnä.",
        ),
        later(submitted, reg.RegistrationWithdrawn, state="withdrawn", previous_state="moved"),
    ]

    async with service(settings) as (app, client):
        calendar_data: list[EventPayload] = [
            period,
            sch.SessionPublished(session=for_everyone),
            sch.SessionPublished(session=for_social_welfare),
        ]
        for data in calendar_data:
            await publish(amqp_connection, settings, make_envelope(data, producer="test"))
        await eventually(lambda: _equals(known_sessions(app), 2), timeout=10, what="sessions")
        for event in lifecycle:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        by_message_id = await records(client, 3 * len(lifecycle) + 1)

    assert len(server.messages) == 3 * len(lifecycle) + 1
    for message in server.messages:
        record = by_message_id[message["Message-ID"]]
        assert message["To"] == record["recipient"]
        assert " ".join(message["Subject"].split()) == record["subject"]
        assert message["Content-Language"] == record["language"]
        assert calendar_of(message) is None
    for contact in people:
        mails = {
            by_message_id[m["Message-ID"]]["template"]: m for m in server.to(str(contact.email))
        }
        assert set(mails) == {t for t in SUBJECTS if t.startswith("registration_")}
        for template, mail in mails.items():
            assert SUBJECTS[template][contact.language] in mail["Subject"], (template, contact)
            assert by_message_id[mail["Message-ID"]]["language"] == contact.language
    finnish = {
        by_message_id[m["Message-ID"]]["template"]: _text(m)
        for m in server.to(str(people[0].email))
    }
    assert "Ilmoittautuminen ei ollut pakollinen" in finnish["registration_received"]  # R5
    assert "Potilastietovaranto" in finnish["registration_received"]
    period_words = f"{long_date(starts_on, 'fi')} – {long_date(ends_on, 'fi')}"
    assert period_words in finnish["registration_accepted"]
    assert "Toimintamallikoulutus" in finnish["registration_accepted"]
    assert f"{long_date(SESSION_DAY, 'fi')} 9.00–11.00" in finnish["registration_accepted"]
    assert "Sosiaalihuollon koulutus" not in finnish["registration_accepted"]
    # #14.6: staff's words as written and marked as theirs (was "Perustelu: Väärä palvelu.").
    marked = "(Kelan käsittelijän kirjoittama):\n> "
    assert f"Perustelu {marked}Väärä palvelu." in finnish["registration_rejected"]
    assert f"Muutettavaa {marked}Lisää liityntäpiste." in finnish["registration_returned"]
    assert (
        f"käyttöönottojaksolta 3/{YEAR - 1} käyttöönottojaksolle 1/{YEAR}"
        in finnish["registration_moved"]
    )
    [copy] = server.to(STAFF_MAILBOX)
    assert copy["Subject"] == "Uusi ilmoittautuminen – Esimerkki Terveys Oy"
    assert by_message_id[copy["Message-ID"]]["business_id"] is None


async def _equals(value: Any, expected: int) -> bool:
    return bool(await value == expected)


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    content: str = body.get_content()
    return content.replace("\r\n", "\n")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_enrolment_and_session_mails_carry_calendar_objects(
    backend: str,
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
    pg_databases: Any,
) -> None:
    _, port, server = smtp
    overrides = (
        {"database_url": await pg_databases.create("notif")} if backend == "postgres" else {}
    )
    settings = settings_for(make_settings, port, **overrides)
    registration = submitted_event(contacts=[person("fi")])
    fi, sv, en = (
        Participant(
            enrolment_id=uuid.uuid4(),
            registration_id=registration.registration_id,
            name=contact.name,
            email=contact.email,
            language=contact.language,
        )
        for contact in (person("fi"), person("sv"), person("en"))
    )
    first = session_info(sequence=0)
    moved = first.model_copy(
        update={
            "sequence": 1,
            "starts_at": STARTS + timedelta(days=1),
            "ends_at": STARTS + timedelta(days=1, hours=2),
        }
    )
    cancelled = moved.model_copy(update={"sequence": 2, "status": "cancelled"})
    feed = "https://kanta.example/feeds/f.ics"
    events: list[EventPayload] = [
        sch.EnrolmentConfirmed(
            enrolment_id=fi.enrolment_id, participant=fi, session=first, feed_url=feed
        ),
        sch.EnrolmentWaitlisted(
            enrolment_id=sv.enrolment_id, participant=sv, session=first, position=1
        ),
        sch.EnrolmentPromoted(enrolment_id=sv.enrolment_id, participant=sv, session=first),
        sch.EnrolmentConfirmed(enrolment_id=en.enrolment_id, participant=en, session=first),
        sch.SessionRescheduled(
            session=moved,
            changes={
                "starts_at": {
                    "old": first.starts_at.isoformat(),
                    "new": moved.starts_at.isoformat(),
                },
                "ends_at": {"old": first.ends_at.isoformat(), "new": moved.ends_at.isoformat()},
            },
            participants=[fi, sv],
        ),
        sch.EnrolmentCancelled(
            enrolment_id=en.enrolment_id, participant=en, session=moved, reason="Peruttu pyynnöstä."
        ),
        sch.SessionReminderDue(
            enrolment_id=fi.enrolment_id,
            participant=fi,
            session=moved,
            offset="P1D",
            due_at=moved.starts_at - timedelta(days=1),
        ),
        sch.SessionCancelled(
            session=cancelled, participants=[fi, sv], note="Kouluttaja sairastui."
        ),
    ]
    # (recipient, template) → (METHOD, SEQUENCE, STATUS) of the attachment, or None.
    expected: dict[tuple[str, str], tuple[str, int, str] | None] = {
        (str(fi.email), "enrolment_confirmed"): ("REQUEST", 0, "CONFIRMED"),
        (str(sv.email), "enrolment_waitlisted"): ("REQUEST", 0, "TENTATIVE"),
        (str(sv.email), "enrolment_promoted"): ("REQUEST", 0, "CONFIRMED"),
        (str(en.email), "enrolment_confirmed"): ("REQUEST", 0, "CONFIRMED"),
        (str(fi.email), "session_rescheduled"): ("REQUEST", 1, "CONFIRMED"),
        (str(sv.email), "session_rescheduled"): ("REQUEST", 1, "CONFIRMED"),
        (str(en.email), "enrolment_cancelled"): ("CANCEL", 1, "CANCELLED"),
        (str(fi.email), "session_reminder"): None,
        (str(fi.email), "session_cancelled"): ("CANCEL", 2, "CANCELLED"),
        (str(sv.email), "session_cancelled"): ("CANCEL", 2, "CANCELLED"),
    }
    language = {str(p.email): p.language for p in (fi, sv, en)}

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(registration, producer="test"))
        await records(client, 1)  # its owner is known before the enrolments arrive
        for event in events:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        by_message_id = await records(client, 1 + len(expected))
        own = await client.get(
            "/v1/deliveries",
            params={"template": "session_cancelled"},
            headers=bearer(settings, "organisation", ORG_A),
        )
        detail = await client.get(f"/v1/deliveries/{own.json()['items'][0]['id']}")

    seen: dict[tuple[str, str], EmailMessage] = {}
    for message in server.messages:
        record = by_message_id[message["Message-ID"]]
        seen[(record["recipient"], record["template"])] = message
        if record["template"] == "registration_received":
            continue
        assert record["registration_id"] == str(registration.registration_id)
        assert record["business_id"] == ORG_A
        assert SUBJECTS[record["template"]][language[record["recipient"]]] in message["Subject"]
        assert message["Content-Language"] == language[record["recipient"]]
    assert set(seen) - {(str(registration.contacts[0].email), "registration_received")} == set(
        expected
    )
    for key, calendar in expected.items():
        attached = calendar_of(seen[key])
        if calendar is None:
            assert attached is None, key
            continue
        assert attached is not None, key
        part, parsed = attached
        method, sequence, status = calendar
        assert part.get_param("method") == method, key
        assert str(part.get_param("charset")).lower() == "utf-8"
        assert parsed["METHOD"] == method, key
        [entry] = parsed.events
        assert str(entry["UID"]) == first.uid, key
        assert entry["SEQUENCE"] == sequence, key
        assert entry["STATUS"] == status, key
        assert str(entry["ATTENDEE"]) == f"mailto:{key[0]}"
        assert [tz["TZID"] for tz in parsed.timezones] == ["Europe/Helsinki"]
        assert by_message_id[seen[key]["Message-ID"]]["calendar_method"] == method
    changed = _text(seen[(str(fi.email), "session_rescheduled")])
    next_day = long_date(SESSION_DAY + timedelta(days=1), "fi")
    assert f"- Alkaa: {long_date(SESSION_DAY, 'fi')} 9.00 → {next_day} 9.00" in changed
    assert "Paikka vapautui" not in _text(seen[(str(sv.email), "enrolment_waitlisted")])
    assert "reservplats 1" in _text(seen[(str(sv.email), "enrolment_waitlisted")])
    assert feed in _text(seen[(str(fi.email), "enrolment_confirmed")])
    assert own.status_code == 200 and len(own.json()["items"]) == 2
    assert detail.json()["calendar"].startswith("BEGIN:VCALENDAR")


async def test_odd_events_mail_what_they_can_and_invalid_ones_are_dead_lettered(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    stranger = Participant(
        enrolment_id=uuid.uuid4(),
        registration_id=uuid.uuid4(),  # a registration this service never heard of
        name="Outo",
        email=f"{unique('odd')}@example.fi",
        language="sv",
    )
    twice = stranger.model_copy(update={"email": str(stranger.email).upper()})
    odd: list[EventPayload] = [
        submitted_event().model_copy(update={"contacts": []}),  # nobody to tell
        sch.SessionRescheduled(
            session=session_info(sequence=3),
            changes={"capacity": {"old": 10, "new": 5}, "starts_at": {"old": "soon", "new": None}},
            participants=[],
        ),
        sch.SessionCancelled(session=session_info(sequence=1), participants=[stranger, twice]),
    ]
    good = make_envelope(
        sch.EnrolmentConfirmed(
            enrolment_id=stranger.enrolment_id, participant=stranger, session=session_info()
        ),
        producer="test",
    )
    invalid = good.model_copy(
        update={"event_id": uuid.uuid4(), "payload": {"participant": "nobody"}}
    )
    unknown_version = good.model_copy(update={"event_id": uuid.uuid4(), "version": 9})

    async with service(settings) as (app, client):
        for event in odd:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        for envelope in (invalid, unknown_version):
            await publish(amqp_connection, settings, envelope)
        await publish(amqp_connection, settings, good)
        by_message_id = await records(client, 2)
        runtime: NotificationsRuntime = app.state.runtime
        names = next(c.names for c in runtime.consumers if c.name == "scheduling")
        channel = await amqp_connection.channel()
        dead_letters = await channel.declare_queue(names.dead_letter, passive=True)
        reasons: list[str] = []

        async def two_dead() -> bool:
            message = await dead_letters.get(fail=False, no_ack=True)
            if message is not None:
                reasons.append(str((message.headers or {})[REASON_HEADER]))
            return len(reasons) == 2

        await eventually(two_dead, timeout=10, what="two dead letters")
        await channel.close()

        # The registration's first event arrives late: its mails become its organisation's.
        owner = submitted_event().model_copy(
            update={"registration_id": stranger.registration_id, "contacts": []}
        )
        await publish(amqp_connection, settings, make_envelope(owner, producer="test"))
        org = bearer(settings, "organisation", ORG_A)

        async def visible() -> Any:
            found = (await client.get("/v1/deliveries", headers=org)).json()
            return found if len(found["items"]) == 2 else None

        late_owner = await eventually(visible, timeout=10, what="mails visible to their owner")

    templates = sorted(r["template"] for r in by_message_id.values())
    assert templates == ["enrolment_confirmed", "session_cancelled"]
    assert all(r["business_id"] is None for r in by_message_id.values())
    assert {r["id"] for r in late_owner["items"]} == {r["id"] for r in by_message_id.values()}
    assert all(r["recipient"] == str(stranger.email).lower() for r in by_message_id.values())
    assert len(server.messages) == 2
    assert any("participant" in reason for reason in reasons), reasons
    assert any("version 9" in reason for reason in reasons), reasons
