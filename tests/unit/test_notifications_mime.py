"""The MIME form of a stored mail: headers, both alternatives, the same bytes on every try."""

from __future__ import annotations

import email
import email.policy
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

from services.notifications.adapters.ics import EventStatus, Method, build_calendar
from services.notifications.adapters.mime import build_message
from services.notifications.adapters.rendering.contexts import ReceiptContext
from services.notifications.adapters.rendering.render import render
from services.notifications.adapters.tables import Mail
from services.notifications.domain.mail import MailStatus, message_id
from shared.contracts.common import PeriodRef
from shared.contracts.scheduling import LocalizedText, SessionInfo

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
            service="social_welfare_client_data_repository",
            period=PeriodRef(year=2027, number=2),
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


def with_calendar(method: Method) -> Mail:
    mail = stored_mail("fi")
    info = SessionInfo(
        session_id=uuid.uuid4(),
        uid="prep-2027-2@kanta.example",
        sequence=4,
        period_id=uuid.uuid4(),
        period=PeriodRef(year=2027, number=2),
        kind="preparation",
        title=LocalizedText(fi="Valmistelutilaisuus", sv="Förberedande tillfälle"),
        starts_at=datetime(2027, 5, 3, 6, 0, tzinfo=UTC),
        ends_at=datetime(2027, 5, 3, 8, 0, tzinfo=UTC),
        language="fi",
        capacity=50,
    )
    mail.calendar = build_calendar(
        info,
        method=method,
        status=EventStatus.CANCELLED if method is Method.CANCEL else EventStatus.CONFIRMED,
        organizer="kayttoonotot@kanta.example",
        organizer_name="Kanta-käyttöönotot",
        attendee="anna@example.fi",
        attendee_name="Anna Andersson",
        language="sv",
        stamp=datetime(2026, 3, 4, 8, 0, tzinfo=UTC),
    )
    mail.calendar_method = method.value
    return mail


def test_a_calendar_object_is_an_imip_alternative_and_an_ics_attachment() -> None:
    """#14.3: the structure of CalConnect's iMIP best practices (RFC 6047)."""
    mail = with_calendar(Method.REQUEST)
    received = as_received(build_message(mail, mail_from=FROM))

    assert received.get_content_type() == "multipart/mixed"
    alternative, attachment = list(received.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = list(alternative.iter_parts())
    assert [plain.get_content_type(), html.get_content_type()] == ["text/plain", "text/html"]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert str(calendar.get_param("charset")).lower() == "utf-8"
    assert calendar.get_content_disposition() is None
    assert mail.calendar is not None
    assert calendar.get_content().splitlines() == mail.calendar.splitlines()
    assert "METHOD:REQUEST" in calendar.get_content().splitlines()
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invitation.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content().decode("utf-8").splitlines() == mail.calendar.splitlines()
    assert received["Content-Language"] == "fi"
    types = [part.get_content_type() for part in received.walk()]
    assert types.count("text/calendar") == 1, "one iMIP object per mail"


def test_a_cancellation_is_named_so_and_carries_method_cancel() -> None:
    received = as_received(build_message(with_calendar(Method.CANCEL), mail_from=FROM))
    alternative, attachment = list(received.iter_parts())
    calendar = list(alternative.iter_parts())[2]
    assert calendar.get_param("method") == "CANCEL"
    assert "METHOD:CANCEL" in calendar.get_content().splitlines()
    assert attachment.get_filename() == "cancellation.ics"
