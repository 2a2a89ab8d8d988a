"""One SMTP session reused for a batch of mails, with every outcome read as an `SmtpReply`."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType

import aiosmtplib
from aiosmtplib.email import flatten_message, parse_address

from services.notifications.domain.replies import SmtpReply, Stage
from services.notifications.settings import NotificationsSettings


class SmtpUnavailable(Exception):
    """No session could be opened (connect, TLS or login failed); carries the reason."""

    def __init__(self, reply: SmtpReply) -> None:
        super().__init__(str(reply))
        self.reply = reply


class SmtpSession:
    """`async with SmtpSession(settings) as smtp:` then `await smtp.send(...)` per mail.

    A mail goes in two steps, `begin` (the envelope) and `deliver` (the content); `send` does
    both.

    Connects lazily and again after the server dropped the connection (a 421, a timeout).
    """

    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def __aenter__(self) -> SmtpSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def open(self) -> None:
        """Connect, STARTTLS and log in as configured, unless connected; else SmtpUnavailable."""
        if self._client is not None and self._client.is_connected:
            return
        s = self._settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_s,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as exc:
            await _discard(client)
            raise SmtpUnavailable(SmtpReply(exc.code, exc.message, Stage.CONNECT)) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            await _discard(client)
            raise SmtpUnavailable(SmtpReply(None, _describe(exc), Stage.CONNECT)) from exc
        self._client = client

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> SmtpReply:
        """Send one mail to one recipient on the open session; never raises for SMTP outcomes."""
        return await self.deliver(await self.begin(message, sender=sender, recipient=recipient))

    async def begin(self, message: EmailMessage, *, sender: str, recipient: str) -> Transaction:
        """Open a mail transaction: MAIL FROM and RCPT TO, nothing delivered yet.

        The server holds the envelope until `deliver` sends the content; a refusal here comes
        back as the transaction's reply and `deliver` returns it without sending anything.
        This split lets the sender record the previous mail's outcome while the server answers
        the envelope, and still never have two delivered mails unrecorded.
        """
        client = self._client
        if client is None:
            raise RuntimeError("SMTP session not open")
        try:
            content = await self._envelope(client, message, sender=sender, recipient=recipient)
        except _Refused as refused:
            return Transaction(reply=refused.reply)
        return Transaction(content=content)

    async def deliver(self, transaction: Transaction) -> SmtpReply:
        """Send the content of an open transaction (DATA); the server's reply to it."""
        reply = transaction.reply
        if reply is None:
            reply = await self._data(transaction.content)
        if reply.code == 421 or (reply.code is None and not reply.permanent):
            # The server is closing the channel, or it is gone: the next mail reconnects.
            await self.close()
        return reply

    async def _envelope(
        self, client: aiosmtplib.SMTP, message: EmailMessage, *, sender: str, recipient: str
    ) -> bytes:
        """EHLO if needed, MAIL FROM and RCPT TO with the options `send_message` would use."""
        try:
            parse_address(sender)
            parse_address(recipient)
            if client.is_ehlo_or_helo_needed:
                try:
                    await client.ehlo()
                except aiosmtplib.SMTPHeloError:
                    await client.helo()  # a server without ESMTP, as aiosmtplib would
            utf8 = not (sender + recipient).isascii()
            if utf8 and not client.supports_extension("smtputf8"):
                raise aiosmtplib.SMTPNotSupported("the server does not support SMTPUTF8")
            eight_bit = client.supports_extension("8bitmime")
            content = flatten_message(message, utf8=utf8, cte_type="8bit" if eight_bit else "7bit")
            options = [f"SIZE={len(content)}"] if client.supports_extension("size") else []
            options += ["SMTPUTF8"] if utf8 else []
            options += ["BODY=8BITMIME"] if eight_bit else []
            encoding = "utf-8" if utf8 else "ascii"
            try:
                await client.mail(sender, options=options, encoding=encoding)
                await client.rcpt(recipient, encoding=encoding)
            except aiosmtplib.SMTPResponseException:
                await _reset(client)
                raise
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise _Refused(SmtpReply(exc.code, exc.message, Stage.RCPT)) from exc
        except aiosmtplib.SMTPSenderRefused as exc:
            raise _Refused(SmtpReply(exc.code, exc.message, Stage.MAIL)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _Refused(SmtpReply(exc.code, exc.message)) from exc
        except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
            # The server cannot take this address (SMTPUTF8 missing) or it cannot be put on
            # the wire safely: trying again would not change that.
            raise _Refused(SmtpReply(None, _describe(exc), permanent=True)) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise _Refused(SmtpReply(None, _describe(exc))) from exc
        return content

    async def _data(self, content: bytes) -> SmtpReply:
        client = self._client
        if client is None:
            return SmtpReply(None, "SMTP session closed before DATA")
        try:
            response = await client.data(content)
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client)
            return SmtpReply(exc.code, exc.message, Stage.DATA)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return SmtpReply(None, _describe(exc))
        # aiosmtplib raises on any DATA reply but 250, so this is what the server said.
        return SmtpReply(250, response.message, Stage.DATA)

    async def close(self) -> None:
        """QUIT politely if still connected; forget the connection either way."""
        client, self._client = self._client, None
        if client is not None:
            await _discard(client)


@dataclass(frozen=True)
class Transaction:
    """A mail transaction after MAIL FROM and RCPT TO: the content to send, or the refusal."""

    content: bytes = b""
    reply: SmtpReply | None = None


class _Refused(Exception):
    def __init__(self, reply: SmtpReply) -> None:
        super().__init__(str(reply))
        self.reply = reply


async def _reset(client: aiosmtplib.SMTP) -> None:
    """RSET after a refusal, so the next mail starts with a clean envelope."""
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.rset()


async def _discard(client: aiosmtplib.SMTP) -> None:
    if client.is_connected:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
    client.close()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
