"""The MIME form of a stored mail: multipart/alternative, plain text first, then HTML.

A mail with a calendar object (iMIP, RFC 6047) takes the structure CalConnect's iMIP best
practices found to work across clients: multipart/mixed holding the multipart/alternative of
plain text, HTML and `text/calendar; method=…` (the method equal to the object's METHOD),
then the same object once more as an `application/ics` attachment named `….ics`, for the
clients that only import attachments.
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
        message.add_alternative(
            mail.calendar, subtype="calendar", charset="utf-8", params={"method": method}
        )
        message.add_attachment(
            mail.calendar.encode("utf-8"),
            maintype="application",
            subtype="ics",
            filename="cancellation.ics" if method == "CANCEL" else "invitation.ics",
        )
    # Last: setting the content drops (or moves into the parts) every Content-* header.
    message["Content-Language"] = mail.language
    return message
