"""The MIME form of a stored mail: headers, both alternatives, the same bytes on every try."""

from __future__ import annotations

import email
import email.policy
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

from services.notifications.domain import MailStatus, message_id
from services.notifications.mime import build_message
from services.notifications.models import Mail
from services.notifications.rendering import ReceiptContext, render

FROM = "Kanta-käyttöönotot <kayttoonotot@kanta.example>"


def stored_mail(language: str) -> Mail:
    event_id = uuid.uuid4()
    rendered = render(
        "registration_received",
        ReceiptContext(
            contact_name="Anna Andersson",
            organisation_name="Exempel Hälsa Ab",
            business_id="2077474-0",
            registration_id=uuid.uuid4(),
            submitted_at=datetime(2026, 3, 4, 8, 0, tzinfo=UTC),
        ),
        language=language,
    )
    now = datetime(2026, 3, 4, 8, 0, 1, tzinfo=UTC)
    return Mail(
        event_id=event_id,
        recipient="anna@example.fi",
        template=rendered.template,
        language=rendered.language,
        message_id=message_id(
            event_id=event_id,
            recipient="anna@example.fi",
            template=rendered.template,
            domain="kanta.example",
        ),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        correlation_id="corr-123",
        status=MailStatus.QUEUED,
        created_at=now,
        updated_at=now,
    )


def as_received(message: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_carry_identity_language_and_correlation() -> None:
    mail = stored_mail("sv")
    received = as_received(build_message(mail, mail_from=FROM))

    assert received["Message-ID"] == mail.message_id
    assert received["From"] == FROM
    assert received["To"] == "anna@example.fi"
    assert received["Subject"] == mail.subject
    assert "Er anmälan har tagits emot" in received["Subject"]
    assert received["Content-Language"] == "sv"
    assert received["X-Correlation-ID"] == "corr-123"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Date"].datetime == mail.created_at


def test_body_is_text_then_html_alternatives() -> None:
    mail = stored_mail("fi")
    received = as_received(build_message(mail, mail_from=FROM))

    assert received.get_content_type() == "multipart/alternative"
    parts = list(received.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content() == mail.body_text
    assert parts[1].get_content() == mail.body_html


def test_every_try_sends_the_same_message() -> None:
    mail = stored_mail("en")
    first, second = build_message(mail, mail_from=FROM), build_message(mail, mail_from=FROM)

    def visible(message: EmailMessage) -> list[tuple[str, str]]:
        # The MIME boundary in Content-Type is random; everything the recipient sees is not.
        return [(name, value) for name, value in message.items() if name != "Content-Type"]

    assert visible(first) == visible(second)
    assert [p.get_content() for p in first.iter_parts()] == [
        p.get_content() for p in second.iter_parts()
    ]
