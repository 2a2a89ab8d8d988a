"""The MIME form of a stored mail: multipart/alternative, plain text first, then HTML.

A mail with a calendar object becomes multipart/mixed: the alternatives, then the object as
an iMIP attachment (RFC 6047: `text/calendar` with the `method` parameter of its METHOD).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from services.notifications.adapters.tables import Mail

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
    if mail.calendar is not None:
        method = (mail.calendar_method or "REQUEST").upper()
        message.add_attachment(
            mail.calendar,
            subtype="calendar",
            charset="utf-8",
            filename="cancellation.ics" if method == "CANCEL" else "invitation.ics",
            params={"method": method},
        )
    # Last: setting the content drops (or moves into the parts) every Content-* header.
    message["Content-Language"] = mail.language
    return message
