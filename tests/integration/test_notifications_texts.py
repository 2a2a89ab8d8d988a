"""#14.6: mail texts a person understands, read from the real SMTP server.

Reasons and warnings are sentences in the recipient's language (never a code, never English
inside a Finnish or Swedish mail), staff's words are marked as theirs, a due day is "today"
on the day itself, a past deadline is not given as a deadline, every mail gives Kela's
contact address, and the staff copy is written in the staff mailbox's language with the
contacts and the warnings.
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

from babel.dates import format_date

from shared.contracts import extension as ext
from shared.contracts import scheduling as sch
from shared.contracts.common import Contact, Participant
from shared.contracts.registration import RegistrationWarning
from shared.events import EventPayload, make_envelope
from tests.dates import in_days, today
from tests.integration.test_notifications_delivery import (
    Amqp,
    MakeSettings,
    publish,
    service,
    settings_for,
)
from tests.integration.test_notifications_mails import records, session_info
from tests.support import CapturingHandler, submitted_event, unique

CONTACT = "kanta-tuki@kanta.example"
STAFF = "kayttoonotot-staff@kanta.example"
CODES = ("registration_withdrawn", "moved", "cancelled_by_organisation", "short_lead_time")


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    content: str = body.get_content()
    return content.replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert isinstance(body, EmailMessage)
    content: str = body.get_content()
    return content


async def test_reasons_are_sentences_in_the_recipients_language(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port, kela_contact_email=CONTACT)
    info = session_info()
    cases = {
        "fi": ("registration_withdrawn", "Organisaationne perui ilmoittautumisensa"),
        "sv": ("moved", "Ni flyttades till ett annat tillfälle"),
        "en": ("cancelled_by_organisation", "Your organisation cancelled your place."),
    }
    events: list[EventPayload] = []
    for language, (code, _) in cases.items():
        who = Participant(
            enrolment_id=uuid.uuid4(),
            registration_id=uuid.uuid4(),
            name="Henkilö",
            email=f"{unique(language)}@example.fi",
            language=language,
        )
        events.append(
            sch.EnrolmentCancelled(
                enrolment_id=who.enrolment_id, participant=who, session=info, reason=code
            )
        )
    staff_note = sch.EnrolmentCancelled(
        enrolment_id=uuid.uuid4(),
        participant=Participant(
            enrolment_id=uuid.uuid4(),
            registration_id=uuid.uuid4(),
            name="Henkilö",
            email=f"{unique('note')}@example.fi",
        ),
        session=info,
        reason="Kouluttaja sairastui.\nUusi aika ilmoitetaan.",
    )
    events.append(staff_note)

    async with service(settings) as (_, client):
        for event in events:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        await records(client, len(events))

    for message in server.messages:
        body = text_of(message)
        assert f"{CONTACT}" in body and CONTACT in html_of(message)
        for code in CODES:
            assert code not in body and code not in html_of(message)
    texts = [text_of(m) for m in server.messages]
    for _, sentence in cases.values():
        assert any(sentence in text for text in texts), sentence
    [noted] = [t for t in texts if "Kouluttaja" in t]
    assert "Syy (Kelan käsittelijän kirjoittama):\n> Kouluttaja sairastui.\n> Uusi aika" in noted


async def test_the_staff_copy_is_in_the_staff_language_with_contacts_and_warnings(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(
        make_settings, port, staff_mailbox=STAFF, staff_language="sv", kela_contact_email=CONTACT
    )
    finn = Contact(
        name="Maija Meikäläinen",
        email=f"{unique('fi')}@example.fi",
        language="fi",
        role="technical",
    )
    swede = Contact(name="Anna Andersson", email=f"{unique('sv')}@example.fi", language="sv")
    warning = RegistrationWarning(
        code="short_lead_time",
        message="Production is planned for 2027-04-15, less than 3 months away; with a "
        "certified system reserve at least 3 months.",
    )
    event = submitted_event(contacts=[finn, swede]).model_copy(update={"warnings": [warning]})

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        await records(client, 3)

    [copy] = server.to(STAFF)
    [finnish] = server.to(str(finn.email))
    [swedish] = server.to(str(swede.email))
    assert copy["Subject"].startswith("Ny anmälan")
    assert copy["Content-Language"] == "sv"
    staff_text = text_of(copy)
    assert "Kontaktpersoner:" in staff_text
    assert f"- Maija Meikäläinen <{finn.email}>, teknisk kontaktperson, finska" in staff_text
    assert f"- Anna Andersson <{swede.email}>, svenska" in staff_text
    assert "med ett certifierat system reservera cirka 3–6 månader" in staff_text
    assert "[short_lead_time:" in staff_text  # staff also see the code and its own wording
    assert "sertifioidulla järjestelmällä varatkaa noin 3–6 kuukautta" in text_of(finnish)
    assert "med ett certifierat system reservera" in text_of(swedish)
    for receipt in (finnish, swedish):
        assert "Production is planned" not in text_of(receipt)
        assert "short_lead_time" not in text_of(receipt)
        assert CONTACT in text_of(receipt)
        assert "Kontaktpersoner" not in text_of(receipt)


async def test_due_days_read_right_and_a_past_deadline_is_no_deadline(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port, kela_contact_email=CONTACT)
    due_today = Contact(name="Maija", email=f"{unique('due')}@example.fi", language="fi")
    late = Contact(name="Anna", email=f"{unique('late')}@example.fi", language="en")

    def test_event(model: type[ext.DeploymentTestEvent], contact: Contact, **days: int) -> Any:
        return model(
            test_id=uuid.uuid4(),
            registration_id=uuid.uuid4(),
            business_id="2077474-0",
            organisation_name="Esimerkki Terveys Oy",
            service="prescription",
            tested_on=in_days(days["tested"]),
            report_due_on=in_days(days["due"]),
            contacts=[contact],
        )

    events = [
        # The reminder sent on the due day itself: "today", not "tomorrow".
        test_event(ext.DeploymentTestReportReminderDue, due_today, tested=-2, due=0),
        # A test recorded late: its two days are already over.
        test_event(ext.DeploymentTestSucceeded, late, tested=-5, due=-3),
    ]

    async with service(settings) as (_, client):
        for event in events:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        await records(client, 2)

    [reminder] = server.to(str(due_today.email))
    body = text_of(reminder)
    assert f"viimeistään tänään, {format_date(today(), 'long', locale='fi')}" in body
    assert "huomenna" not in body
    assert f"osoitteeseen {CONTACT}" in body
    [succeeded] = server.to(str(late.email))
    past = format_date(in_days(-3), "long", locale="en")
    text = text_of(succeeded)
    assert f"The report's deadline, {past}, has already passed" in text
    assert f"by {past}" not in text and past not in succeeded["Subject"]
    assert "Report to Kela by" not in text and f"The report was due on: {past}" in text
    assert f"Send the report by email to {CONTACT}" in text
