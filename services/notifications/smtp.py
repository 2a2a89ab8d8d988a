"""One SMTP session reused for a batch of mails, with every outcome read as an `SmtpReply`."""

from __future__ import annotations

import contextlib
from email.message import EmailMessage
from types import TracebackType

import aiosmtplib

from services.notifications.domain import SmtpReply, Stage
from services.notifications.settings import NotificationsSettings


class SmtpUnavailable(Exception):
    """No session could be opened (connect, TLS or login failed); carries the reason."""

    def __init__(self, reply: SmtpReply) -> None:
        super().__init__(str(reply))
        self.reply = reply


class SmtpSession:
    """`async with SmtpSession(settings) as smtp:` then `await smtp.send(...)` per mail.

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
        reply = await self._transaction(message, sender=sender, recipient=recipient)
        if reply.code == 421 or (reply.code is None and not reply.permanent):
            # The server is closing the channel, or it is gone: the next mail reconnects.
            await self.close()
        return reply

    async def _transaction(
        self, message: EmailMessage, *, sender: str, recipient: str
    ) -> SmtpReply:
        client = self._client
        if client is None:
            raise RuntimeError("SMTP session not open")
        try:
            _, response = await client.send_message(message, sender=sender, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            return SmtpReply(refused.code, refused.message, Stage.RCPT)
        except aiosmtplib.SMTPSenderRefused as exc:
            return SmtpReply(exc.code, exc.message, Stage.MAIL)
        except aiosmtplib.SMTPDataError as exc:
            return SmtpReply(exc.code, exc.message, Stage.DATA)
        except aiosmtplib.SMTPResponseException as exc:
            return SmtpReply(exc.code, exc.message)
        except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
            # The server cannot take this address (SMTPUTF8 missing) or it cannot be put on
            # the wire safely: trying again would not change that.
            return SmtpReply(None, _describe(exc), permanent=True)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return SmtpReply(None, _describe(exc))
        # aiosmtplib raises on any DATA reply but 250, so this is what the server said.
        return SmtpReply(250, response, Stage.DATA)

    async def close(self) -> None:
        """QUIT politely if still connected; forget the connection either way."""
        client, self._client = self._client, None
        if client is not None:
            await _discard(client)


async def _discard(client: aiosmtplib.SMTP) -> None:
    if client.is_connected:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
    client.close()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
