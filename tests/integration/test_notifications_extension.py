"""Mails of the extension of use end to end (R9, R10): events through RabbitMQ, mails at SMTP.

A notice routed to Kela reaches Kela's mailbox and one that is not routed mails nobody; a
successful deployment test and the reminder before its report deadline reach each contact in
their language; an overdue report reaches the staff mailbox. Every record carries the
registration and the organisation, and an event delivered twice mails once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlmodel import col, func, select

from services.notifications.adapters.tables import Mail
from services.notifications.app import extension_mails
from services.notifications.app.mailer import Mailer
from services.notifications.main import mailer_for
from shared.contracts import extension as ext
from shared.contracts.common import Contact, Language
from shared.events import Envelope, EventPayload, make_envelope
from shared.loops import Doorbell
from tests.dates import in_days
from tests.integration.test_notifications_delivery import (
    Amqp,
    MakeSettings,
    NotificationsRuntime,
    long_date,
    publish,
    service,
    settings_for,
)
from tests.support import CapturingHandler, bearer, eventually, unique

ORG = "2077474-0"
STAFF_MAILBOX = "kayttoonotot-staff@kanta.example"
TESTED_ON = in_days(-1)
DUE_ON = TESTED_ON + timedelta(days=2)
DEADLINE = {language: long_date(DUE_ON, language) for language in ("fi", "sv", "en")}
EFFECTIVE_ON = in_days(30)
SUBJECTS: dict[str, dict[str, str]] = {
    "deployment_test_succeeded": {
        "fi": "Käyttöönottokoe onnistui",
        "sv": "Ibruktagningsprovet lyckades",
        "en": "Deployment test succeeded",
    },
    "deployment_test_report_reminder": {
        "fi": "Muistutus: käyttöönottokokeen raportti puuttuu",
        "sv": "Påminnelse: rapporten om ibruktagningsprovet saknas",
        "en": "Reminder: deployment test report missing",
    },
}


def person(language: Language) -> Contact:
    return Contact(
        name=f"Yhteyshenkilö {language}",
        email=f"{unique(language)}@example.fi",
        language=language,
    )


def notice(*, routed: bool, mailbox: str | None) -> ext.NoticeReceived:
    return ext.NoticeReceived(
        notice_id=uuid.uuid4(),
        kind="connection_point_change",
        business_id=ORG,
        organisation_name="Esimerkki Terveys Oy",
        details={
            "change": "new_connection_point",
            "connection_point": "Liityntäpiste 2",
            "effective_on": EFFECTIVE_ON.isoformat(),
        },
        effective_on=EFFECTIVE_ON,
        routed_to_kela=routed,
        kela_mailbox=mailbox,
    )


def deployment_test(
    model: type[ext.DeploymentTestEvent], registration_id: uuid.UUID, contacts: list[Contact]
) -> ext.DeploymentTestEvent:
    return model(
        test_id=uuid.uuid4(),
        registration_id=registration_id,
        business_id=ORG,
        organisation_name="Esimerkki Terveys Oy",
        service="prescription",
        tested_on=TESTED_ON,
        report_due_on=DUE_ON,
        contacts=contacts,
    )


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    content: str = body.get_content()
    return content


async def _counter(client: httpx.AsyncClient, name: str, *labels: str) -> float:
    """The sum of a counter's samples of the notifications service carrying every label."""
    total = 0.0
    wanted = ('service="notifications"', 'consumer="extension"', *labels)
    for line in (await client.get("/metrics")).text.splitlines():
        if line.startswith(f"{name}{{") and all(label in line for label in wanted):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def _all_sent(client: httpx.AsyncClient, count: int) -> dict[str, dict[str, Any]]:
    async def check() -> dict[str, dict[str, Any]] | None:
        items = (await client.get("/v1/deliveries", params={"limit": 200})).json()["items"]
        done = len(items) == count and all(i["status"] == "sent" for i in items)
        return {i["message_id"]: i for i in items} if done else None

    found: dict[str, dict[str, Any]] = await eventually(
        check, timeout=15, what=f"{count} mails sent"
    )
    return found


async def test_extension_mails_reach_kela_the_contacts_and_staff_once(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port, staff_mailbox=STAFF_MAILBOX)
    kela = f"{unique('kela')}@kela.example"
    unused = f"{unique('unused')}@kela.example"
    registration_id = uuid.uuid4()
    people = [person("fi"), person("sv"), person("en")]
    routed = make_envelope(notice(routed=True, mailbox=kela), producer="test")
    succeeded = make_envelope(
        deployment_test(ext.DeploymentTestSucceeded, registration_id, people), producer="test"
    )
    events: list[EventPayload] = [
        notice(routed=False, mailbox=None),
        notice(routed=False, mailbox=unused),  # not routed: the mailbox is not written to
        deployment_test(ext.DeploymentTestReportReminderDue, registration_id, people),
        deployment_test(ext.DeploymentTestReportOverdue, registration_id, people),
    ]

    async with service(settings) as (_, client):
        notices_before = await _counter(
            client, "events_consumed_total", 'event_type="notice.received"'
        )
        duplicates_before = await _counter(client, "events_duplicate_total")
        for envelope in (routed, succeeded, routed, succeeded):  # each delivered twice
            await publish(amqp_connection, settings, envelope)
        for event in events:
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))

        async def consumed() -> bool:
            notices = await _counter(
                client, "events_consumed_total", 'event_type="notice.received"'
            )
            duplicates = await _counter(client, "events_duplicate_total")
            return notices - notices_before == 3 and duplicates - duplicates_before == 2

        await eventually(consumed, timeout=10, what="three notices and two duplicates")
        # Kela's notice, three successes, three reminders, one overdue flag.
        by_message_id = await _all_sent(client, 8)
        own = await client.get(
            "/v1/deliveries",
            params={"registration_id": str(registration_id)},
            headers=bearer(settings, "organisation", ORG),
        )
        other = await client.get(
            "/v1/deliveries", headers=bearer(settings, "organisation", "0204819-8")
        )

    assert len(server.messages) == 8
    assert server.to(unused) == []
    records = {(r["recipient"], r["template"]): r for r in by_message_id.values()}
    assert len(records) == 8
    internal = {"notice_to_kela", "deployment_test_report_overdue"}
    for (_, template), record in records.items():
        # Kela's and staff's own mails are not among the organisation's deliveries.
        assert record["business_id"] == (None if template in internal else ORG)

    [to_kela] = server.to(kela)
    record = by_message_id[to_kela["Message-ID"]]
    assert record["template"] == "notice_to_kela"
    assert record["language"] == "fi"
    assert record["registration_id"] is None
    assert to_kela["Subject"] == (
        "Käytön laajennuksen ilmoitus: Liityntäpisteen muutos – Esimerkki Terveys Oy"
    )
    text = _text(to_kela)
    effective = long_date(EFFECTIVE_ON, "fi")
    for phrase in ("Y-tunnus: 2077474-0", "- Muutos: uusi liityntäpiste", effective):
        assert phrase in text

    for contact in people:
        language = contact.language
        mails = server.to(str(contact.email))
        assert len(mails) == 2, contact
        for mail in mails:
            record = by_message_id[mail["Message-ID"]]
            assert record["registration_id"] == str(registration_id)
            assert record["language"] == language == mail["Content-Language"]
            assert SUBJECTS[record["template"]][language] in mail["Subject"]
            assert DEADLINE[language] in mail["Subject"]
            assert DEADLINE[language] in _text(mail)
    finnish = {
        by_message_id[m["Message-ID"]]["template"]: _text(m)
        for m in server.to(str(people[0].email))
    }
    assert (
        # #14.6: the due day is worded from the clock (it is tomorrow here).
        f"kahden päivän kuluessa, viimeistään huomenna, {DEADLINE['fi']}"
        in (finnish["deployment_test_succeeded"])
    )
    assert "Resepti" in finnish["deployment_test_succeeded"]
    assert long_date(TESTED_ON, "fi") in finnish["deployment_test_succeeded"]
    assert f"viimeistään huomenna, {DEADLINE['fi']}" in (finnish["deployment_test_report_reminder"])

    [overdue] = server.to(STAFF_MAILBOX)
    record = by_message_id[overdue["Message-ID"]]
    assert record["template"] == "deployment_test_report_overdue"
    assert record["registration_id"] == str(registration_id)
    assert overdue["Subject"] == "Käyttöönottokokeen raportti myöhässä – Esimerkki Terveys Oy"
    assert f"määräaikaan {DEADLINE['fi']} mennessä" in _text(overdue)
    assert str(registration_id) in _text(overdue)

    # The organisation reads its own deliveries (not the staff flag); another reads none.
    assert own.status_code == 200 and len(own.json()["items"]) == 6
    assert other.status_code == 200 and other.json()["items"] == []


async def test_a_redelivered_event_queues_nothing_twice_and_no_staff_mailbox_skips_overdue(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    """Below the inbox: the (event, recipient, template) key stops a second run queueing."""
    _, port, server = smtp
    settings = settings_for(make_settings, port, staff_mailbox="")
    mailer = mailer_for(settings, Doorbell())
    registration_id = uuid.uuid4()
    contact = person("sv")
    succeeded = deployment_test(ext.DeploymentTestSucceeded, registration_id, [contact, contact])
    late = deployment_test(ext.DeploymentTestReportOverdue, registration_id, [contact])
    twice = make_envelope(succeeded, producer="test")
    overdue = make_envelope(late, producer="test")

    async with service(settings) as (app, client):
        runtime: NotificationsRuntime = app.state.runtime
        queued = [
            await _run(runtime, succeeded, twice, mailer),
            await _run(runtime, succeeded, twice, mailer),
            await _run(runtime, late, overdue, mailer),
        ]
        by_message_id = await _all_sent(client, 1)
        async with runtime.sessions() as session:
            rows = (
                await session.exec(
                    select(func.count()).where(
                        col(Mail.event_id).in_([twice.event_id, overdue.event_id])
                    )
                )
            ).one()

    assert queued == [1, 0, 0]
    assert rows == 1
    [mail] = server.to(str(contact.email))
    assert by_message_id[mail["Message-ID"]]["template"] == "deployment_test_succeeded"
    assert mail["Subject"] == (
        f"Ibruktagningsprovet lyckades – rapportera till FPA senast {DEADLINE['sv']}"
    )
    assert len(server.messages) == 1


async def _run(
    runtime: NotificationsRuntime,
    event: ext.DeploymentTestEvent,
    envelope: Envelope,
    mailer: Mailer,
) -> int:
    """The consumer's use case, run as the consumer runs it: in its own transaction."""
    uow = runtime.uow()
    async with uow:
        queued = await extension_mails.on_deployment_test_event(
            uow, event, envelope, mailer=mailer, clock=runtime.clock
        )
        await uow.commit()
    return queued
