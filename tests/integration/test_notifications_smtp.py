"""One SMTP session, two steps a mail (envelope, then content), against a real aiosmtpd."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from services.notifications.adapters.smtp import SmtpSession
from services.notifications.domain.replies import Stage
from services.notifications.settings import NotificationsSettings
from tests.support import CapturingHandler, smtp_server

SENDER = "kayttoonotot@kanta.example"


@contextlib.asynccontextmanager
async def session_at(
    handler: CapturingHandler, make_settings: Callable[..., Any], **server_options: Any
) -> AsyncIterator[SmtpSession]:
    """An open SMTP session to a real aiosmtpd server answering with `handler`."""
    with smtp_server(handler, **server_options) as (_, port, _):
        async with SmtpSession(make_settings(NotificationsSettings, smtp_port=port)) as smtp:
            await smtp.open()
            yield smtp


def message(to: str, subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = SENDER, to, subject
    mail.set_content("Hei!")
    return mail


async def test_a_refused_recipient_leaves_the_session_clean_for_the_next_mail(
    make_settings: Callable[..., Any],
) -> None:
    handler = CapturingHandler(rcpt_replies={"gone@example.fi": "550 5.1.1 no such user"})
    async with session_at(handler, make_settings) as smtp:
        refused = await smtp.begin(
            message("gone@example.fi", "1"), sender=SENDER, recipient="gone@example.fi"
        )
        assert refused.reply is not None and refused.content == b""
        bounced = await smtp.deliver(refused)
        sent = await smtp.send(
            message("here@example.fi", "2"), sender=SENDER, recipient="here@example.fi"
        )
    assert (bounced.code, bounced.stage, bounced.text) == (550, Stage.RCPT, "5.1.1 no such user")
    assert (sent.code, sent.stage) == (250, Stage.DATA)
    assert handler.data_commands == 1, "the refused mail's content was never sent"
    assert handler.envelopes == [(SENDER, ["here@example.fi"])]
    assert [m["Subject"] for m in handler.messages] == ["2"]


async def test_an_address_the_server_cannot_take_is_a_permanent_failure_without_a_reply(
    make_settings: Callable[..., Any],
) -> None:
    handler = CapturingHandler()
    async with session_at(handler, make_settings, enable_SMTPUTF8=False) as smtp:
        reply = await smtp.send(
            message("maija@example.fi", "ä"), sender=SENDER, recipient="mäijä@example.fi"
        )
        after = await smtp.send(
            message("maija@example.fi", "ok"), sender=SENDER, recipient="maija@example.fi"
        )
    assert reply.code is None and reply.permanent and "SMTPUTF8" in reply.text
    assert after.code == 250
    assert handler.envelopes == [(SENDER, ["maija@example.fi"])]


@dataclass
class OptionsHandler(CapturingHandler):
    mail_options: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mail_options.append(list(envelope.mail_options))
        return await super().handle_DATA(server, session, envelope)


async def test_the_content_goes_with_the_size_the_server_was_told(
    make_settings: Callable[..., Any],
) -> None:
    handler = OptionsHandler()
    async with session_at(handler, make_settings) as smtp:
        transaction = await smtp.begin(
            message("maija@example.fi", "Kokous"), sender=SENDER, recipient="maija@example.fi"
        )
        assert transaction.reply is None
        reply = await smtp.deliver(transaction)
    assert reply.code == 250
    [received] = handler.messages
    assert received["Subject"] == "Kokous" and received.get_content().strip() == "Hei!"
    assert handler.mail_options == [[f"SIZE={len(transaction.content)}", "BODY=8BITMIME"]]


@dataclass
class NoEsmtpHandler(CapturingHandler):
    """A server that answers EHLO with 502, as one without ESMTP would."""

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: Any
    ) -> list[str]:
        return ["502 5.5.1 EHLO not supported"]


async def test_a_server_without_esmtp_is_greeted_with_helo(
    make_settings: Callable[..., Any],
) -> None:
    handler = NoEsmtpHandler()
    async with session_at(handler, make_settings) as smtp:
        reply = await smtp.send(
            message("maija@example.fi", "Hei"), sender=SENDER, recipient="maija@example.fi"
        )
    assert reply.code == 250
    assert handler.envelopes == [(SENDER, ["maija@example.fi"])]
