"""The MIME form of a stored mail: multipart/alternative, plain text first, then HTML."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from services.notifications.models import Mail

CORRELATION_HEADER = "X-Correlation-ID"


def build_message(mail: Mail, *, mail_from: str) -> EmailMessage:
    """The message as sent; the same on every try (same Message-ID and Date)."""
    message = EmailMessage()
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.created_at)
    message["From"] = mail_from
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message[CORRELATION_HEADER] = mail.correlation_id
    # RFC 3834: machine-sent, so auto-responders stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    # Last: setting the content drops (or moves into the parts) every Content-* header.
    message["Content-Language"] = mail.language
    return message
