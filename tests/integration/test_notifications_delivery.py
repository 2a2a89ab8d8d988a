"""Receipts end to end inside the notifications service: real RabbitMQ, real SMTP server.

Each test publishes a real `registration.submitted` envelope to this run's exchange and reads
the outcome where a person would: the mail at the SMTP server and the delivery record over
HTTP. Each test has its own queues (a unique prefix) and its own database.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from babel.dates import format_date
from fastapi import FastAPI

from services.notifications.adapters.rendering.contexts import ReceiptContext
from services.notifications.adapters.rendering.render import render
from services.notifications.adapters.tables import Mail, Suppression
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.domain.mail import MailStatus, message_id
from services.notifications.main import MIGRATIONS, create_app
from services.notifications.settings import NotificationsSettings
from shared.clock import SystemClock
from shared.contracts.common import Contact, Language, PeriodRef
from shared.contracts.registration import RegistrationSubmitted
from shared.db import create_engine, session_factory
from shared.events import Envelope, make_envelope
from shared.messaging.amqp import to_amqp_message
from shared.messaging.topology import declare_exchange
from shared.migrations import upgrade_to_head
from shared.runtime import Runtime
from tests.dates import next_year
from tests.support import (
    CapturingHandler,
    bearer,
    eventually,
    free_port,
    running,
    smtp_server,
    submitted_event,
    unique,
)

SUBJECT_PHRASES = {
    "fi": "Ilmoittautumisenne on vastaanotettu",
    "sv": "Er anmälan har tagits emot",
    "en": "Your registration has been received",
}
MakeSettings = Callable[..., NotificationsSettings]
Amqp = aio_pika.abc.AbstractRobustConnection
NotificationsRuntime = Runtime[NotificationsUnitOfWork]


def long_date(day: date, language: str) -> str:
    """A day as the mails write it in `language` (`12. maaliskuuta 2027`, `12 mars 2027`)."""
    return format_date(day, "long", locale=language)


def settings_for(make_settings: MakeSettings, port: int, **overrides: Any) -> NotificationsSettings:
    values: dict[str, Any] = {
        "smtp_port": port,
        "mail_retry_base_s": 0.05,
        "mail_poll_interval_s": 0.1,
        "staff_mailbox": "",
        **overrides,
    }
    return make_settings(NotificationsSettings, **values)


@contextlib.asynccontextmanager
async def service(
    settings: NotificationsSettings,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The notifications app, running, with its consumer bound to the exchange."""
    app = create_app(settings)
    async with running(app) as client:
        client.headers.update(bearer(settings, "staff"))
        await app.state.runtime.broker.wait_ready(10)
        yield app, client


def registration(*contacts: Contact) -> RegistrationSubmitted:
    return submitted_event(contacts=list(contacts))


def contact(language: Language = "fi", *, name: str = "Maija Meikäläinen") -> Contact:
    return Contact(name=name, email=f"{unique('contact')}@example.fi", language=language)


async def publish(amqp: Amqp, settings: NotificationsSettings, envelope: Envelope) -> None:
    channel = await amqp.channel(publisher_confirms=True)
    try:
        exchange = await declare_exchange(channel, settings.exchange)
        await exchange.publish(
            to_amqp_message(envelope), routing_key=envelope.event_type, mandatory=True
        )
    finally:
        await channel.close()


async def deliveries(client: httpx.AsyncClient, registration_id: uuid.UUID) -> list[dict[str, Any]]:
    response = await client.get("/v1/deliveries", params={"registration_id": str(registration_id)})
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["items"]
    return records


async def settled(
    client: httpx.AsyncClient, registration_id: uuid.UUID, count: int, *statuses: str
) -> list[dict[str, Any]]:
    """Wait until the registration has `count` records, all in one of `statuses`."""

    async def check() -> list[dict[str, Any]] | None:
        records = await deliveries(client, registration_id)
        done = len(records) == count and all(r["status"] in statuses for r in records)
        return records if done else None

    result: list[dict[str, Any]] = await eventually(
        check, timeout=8, what=f"{count} deliveries in {statuses}"
    )
    return result


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_receipt_reaches_each_contact_in_their_language(
    backend: str,
    language: Language,
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
    person = contact(language)
    event = registration(person)
    envelope = make_envelope(event, producer="test")

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, envelope)
        [record] = await settled(client, event.registration_id, 1, "sent")

    [mail] = server.to(str(person.email))
    assert record["status"] == "sent"
    assert record["attempts"] == 1
    assert record["sent_at"] is not None
    assert record["last_reply"].startswith("250")
    assert record["recipient"] == str(person.email)
    assert record["language"] == language
    assert record["template"] == "registration_received"
    assert (
        mail["Message-ID"]
        == record["message_id"]
        == message_id(
            event_id=envelope.event_id,
            recipient=str(person.email),
            template="registration_received",
            domain="kanta.example",
        )
    )
    assert mail["Subject"] == record["subject"]
    assert SUBJECT_PHRASES[language] in mail["Subject"]
    assert mail["Content-Language"] == language
    assert mail["X-Correlation-ID"] == envelope.correlation_id
    assert mail["From"] == settings.mail_from
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert str(event.registration_id) in text.get_content()
    assert "2077474-0" in html.get_content()
    assert server.envelopes == [(settings.mail_from_address, [str(person.email)])]


async def test_the_same_event_twice_sends_one_mail(
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    person = contact("sv")
    event = registration(person)
    envelope = make_envelope(event, producer="test")

    async with service(settings) as (_, client):

        async def duplicates() -> float:
            response = await client.get("/metrics")
            for line in response.text.splitlines():
                if line.startswith("events_duplicate_total{") and 'service="notifications"' in line:
                    return float(line.rsplit(" ", 1)[1])
            return 0.0

        before = await duplicates()
        await publish(amqp_connection, settings, envelope)
        await publish(amqp_connection, settings, envelope)
        await eventually(
            lambda: _greater(duplicates(), before), timeout=8, what="the duplicate skipped"
        )
        records = await settled(client, event.registration_id, 1, "sent")

    assert len(records) == 1
    assert len(server.to(str(person.email))) == 1
    assert server.data_commands == 1


async def _greater(value: Any, than: float) -> bool:
    return bool(await value > than)


async def test_transient_replies_are_retried_until_accepted(
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
) -> None:
    _, port, server = smtp
    server.replies = ["451 4.3.0 try later", "451 4.3.0 try later again", "250 OK"]
    settings = settings_for(make_settings, port)
    person = contact("en")
    event = registration(person)

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        [record] = await settled(client, event.registration_id, 1, "sent")

    assert record["attempts"] == 3
    assert record["last_reply"].startswith("250")
    assert server.data_commands == 3
    assert len(server.to(str(person.email))) == 1


async def test_retries_stop_at_the_attempt_limit(
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
) -> None:
    _, port, server = smtp
    server.replies = ["452 4.2.2 mailbox full"] * 3
    settings = settings_for(make_settings, port, mail_max_attempts=2)
    event = registration(contact("fi"))

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        [record] = await settled(client, event.registration_id, 1, "failed")

    assert record["attempts"] == 2
    assert record["last_reply"] == "452 4.2.2 mailbox full"
    assert record["sent_at"] is None
    assert server.data_commands == 2
    assert server.messages == []


async def test_permanent_data_rejection_fails_without_suppressing(
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
) -> None:
    _, port, server = smtp
    server.replies = ["554 5.7.1 message refused"]
    settings = settings_for(make_settings, port)
    person = contact("fi")
    event = registration(person)

    async with service(settings) as (app, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        [record] = await settled(client, event.registration_id, 1, "failed")
        assert await suppression(app, str(person.email)) is None

    assert record["attempts"] == 1
    assert record["last_reply"] == "554 5.7.1 message refused"


async def suppression(app: FastAPI, address: str) -> Suppression | None:
    runtime: NotificationsRuntime = app.state.runtime
    async with runtime.sessions() as session:
        return await session.get(Suppression, address)


async def test_hard_bounce_suppresses_the_address_for_later_mails(
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
) -> None:
    _, port, server = smtp
    bouncing = contact("fi", name="Ei Ole")
    server.rcpt_replies = {str(bouncing.email): "550 5.1.1 no such user"}
    settings = settings_for(make_settings, port)
    first = registration(bouncing)

    async with service(settings) as (app, client):
        await publish(amqp_connection, settings, make_envelope(first, producer="test"))
        [bounced] = await settled(client, first.registration_id, 1, "failed")
        listed = await suppression(app, str(bouncing.email))

        reachable = contact("sv")
        second = registration(bouncing, reachable)
        await publish(amqp_connection, settings, make_envelope(second, producer="test"))
        records = await settled(client, second.registration_id, 2, "sent", "suppressed")

    assert bounced["attempts"] == 1
    assert bounced["last_reply"] == "550 5.1.1 no such user"
    assert listed is not None and listed.reason == "550 5.1.1 no such user"
    by_recipient = {r["recipient"]: r for r in records}
    assert by_recipient[str(bouncing.email)]["status"] == "suppressed"
    assert by_recipient[str(bouncing.email)]["attempts"] == 0
    assert by_recipient[str(reachable.email)]["status"] == "sent"
    # Only the reachable contact's mail got as far as DATA; the suppressed one never left.
    assert server.data_commands == 1
    assert server.to(str(bouncing.email)) == []
    assert len(server.to(str(reachable.email))) == 1


async def test_mail_of_a_sender_that_died_mid_send_is_sent_after_restart(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings
) -> None:
    _, port, server = smtp
    settings = settings_for(make_settings, port)
    now = SystemClock().now()
    orphan = stored_mail("orphan", claimed_until=now - timedelta(seconds=1), now=now)
    held = stored_mail("held", claimed_until=now + timedelta(hours=1), now=now)
    held_token = held.claim_token
    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine, MIGRATIONS)
        async with session_factory(engine)() as session:
            session.add_all([orphan, held])
            await session.commit()
    finally:
        await engine.dispose()

    async with service(settings) as (app, client):
        await eventually(lambda: server.to(orphan.recipient), timeout=8, what="the orphan sent")
        sent = await eventually(
            lambda: _record_in(client, orphan.id, "sent"), timeout=8, what="orphan recorded"
        )
        still_held = (await client.get(f"/v1/deliveries/{held.id}")).json()
        runtime: NotificationsRuntime = app.state.runtime
        async with runtime.sessions() as session:
            held_row = await session.get(Mail, held.id)

    assert sent["attempts"] == 1
    assert server.to(orphan.recipient)[0]["Message-ID"] == orphan.message_id
    # A live claim is left alone: its lease has not run out.
    assert still_held["status"] == "sending"
    assert held_row is not None and held_row.claim_token == held_token
    assert server.to(held.recipient) == []


async def _record_in(client: httpx.AsyncClient, mail_id: uuid.UUID, status: str) -> Any:
    record = (await client.get(f"/v1/deliveries/{mail_id}")).json()
    return record if record["status"] == status else None


def stored_mail(label: str, *, claimed_until: datetime, now: datetime) -> Mail:
    """A mail as a sender left it when it died holding the claim."""
    event_id = uuid.uuid4()
    recipient = f"{unique(label)}@example.fi"
    rendered = render(
        "registration_received",
        ReceiptContext(
            contact_name="Maija Meikäläinen",
            organisation_name="Esimerkki Terveys Oy",
            business_id="2077474-0",
            registration_id=uuid.uuid4(),
            service="prescription",
            period=PeriodRef(year=next_year(), number=1),
            submitted_at=now,
        ),
        language="fi",
    )
    return Mail(
        event_id=event_id,
        recipient=recipient,
        template=rendered.template,
        language=rendered.language,
        message_id=message_id(
            event_id=event_id,
            recipient=recipient,
            template=rendered.template,
            domain="kanta.example",
        ),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        correlation_id=str(uuid.uuid4()),
        status=MailStatus.SENDING,
        attempts=0,
        next_attempt_at=now - timedelta(minutes=5),
        claimed_until=claimed_until,
        claim_token=uuid.uuid4(),
        created_at=now - timedelta(minutes=5),
        updated_at=now - timedelta(minutes=4),
    )


async def test_unreachable_server_keeps_mails_waiting_without_using_attempts(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    port = free_port()
    settings = settings_for(make_settings, port, mail_retry_max_s=0.3)
    person = contact("fi")
    event = registration(person)
    server = CapturingHandler()

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        [waiting] = await settled(client, event.registration_id, 1, "retrying")
        controller = Controller(server, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            [record] = await settled(client, event.registration_id, 1, "sent")
        finally:
            controller.stop()

    assert waiting["attempts"] == 0
    assert waiting["last_reply"].startswith("no reply")
    assert record["attempts"] == 1
    assert len(server.to(str(person.email))) == 1


@dataclass
class SessionCountingHandler(CapturingHandler):
    """Also counts SMTP sessions (one EHLO each), to see connections being reused."""

    sessions: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses


async def test_a_batch_goes_over_one_connection_and_a_421_reconnects(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    server = SessionCountingHandler()
    with smtp_server(server) as (_, port, _handler):
        settings = settings_for(make_settings, port)
        people = [contact(language) for language in ("fi", "sv", "en")]
        batch = registration(*people)
        async with service(settings) as (_, client):
            await publish(amqp_connection, settings, make_envelope(batch, producer="test"))
            await settled(client, batch.registration_id, 3, "sent")
            sessions_for_batch = server.sessions

            server.replies = ["421 4.3.2 service shutting down"]
            pair = registration(contact("fi"), contact("sv"))
            await publish(amqp_connection, settings, make_envelope(pair, producer="test"))
            records = await settled(client, pair.registration_id, 2, "sent")

    assert sessions_for_batch == 1
    assert sorted(r["attempts"] for r in records) == [1, 2]
    # The 421 closed that session: the other mail went over a new one, the retry over a third.
    assert server.sessions == sessions_for_batch + 3
    assert len(server.messages) == 5


# The test server takes AUTH over plain TCP on loopback; production uses STARTTLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("password", ["right-password", "wrong-password"])
async def test_login_uses_the_configured_credentials(
    password: str, make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (b"kanta-mailer", b"right-password")
        return AuthResult(success=ok, handled=False)

    server = CapturingHandler()
    port = free_port()
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        settings = settings_for(
            make_settings, port, smtp_username="kanta-mailer", smtp_password=password
        )
        event = registration(contact("fi"))
        async with service(settings) as (_, client):
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
            expected = "sent" if password == "right-password" else "retrying"
            [record] = await settled(client, event.registration_id, 1, expected)
    finally:
        controller.stop()

    if password == "right-password":
        assert record["attempts"] == 1
        assert len(server.messages) == 1
    else:
        # A login the server refuses is our configuration's fault, not the mail's.
        assert record["attempts"] == 0
        assert record["last_reply"].startswith("535")
        assert server.messages == []
