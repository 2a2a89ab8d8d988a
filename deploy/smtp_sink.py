"""A local SMTP sink: accepts every mail and saves it as a `.eml` file.

    python deploy/smtp_sink.py --host 127.0.0.1 --port 1025 --dir var/mail

Each mail becomes `<UTC timestamp>-<random>.eml` in the directory (the raw message, preceded by
`X-Envelope-From` / `X-Envelope-To` headers so Bcc recipients stay visible) and one log line
(from, to, subject). Open the files with any mail client, or just read them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import logging
import os
import signal
import sys
import uuid
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.clock import SystemClock

log = logging.getLogger("smtp_sink")


class SaveToDirectory:
    """aiosmtpd handler: write each accepted message to `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        recipients = [str(r) for r in envelope.rcpt_tos]
        try:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            subject = str(message.get("Subject", ""))
        except Exception:  # a malformed mail is still saved as it came
            subject = "(unparsable message)"
        path = self.save(str(envelope.mail_from or ""), recipients, raw)
        log.info(
            "mail from=%s to=%s subject=%r saved=%s",
            envelope.mail_from,
            ",".join(recipients),
            subject,
            path,
        )
        return "250 Message accepted for delivery"

    def save(self, mail_from: str, recipients: list[str], raw: bytes) -> Path:
        """Write atomically (temp file + rename) under a unique, sortable name."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = SystemClock().now().strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        envelope = (
            f"X-Envelope-From: <{mail_from}>\r\n"
            f"X-Envelope-To: {', '.join(f'<{r}>' for r in recipients)}\r\n"
        ).encode("utf-8", "replace")
        tmp = path.with_suffix(".eml.tmp")
        tmp.write_bytes(envelope + raw)
        os.replace(tmp, path)
        return path


async def serve(host: str, port: int, directory: Path) -> None:
    """Serve until SIGINT or SIGTERM."""
    handler = SaveToDirectory(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.local", enable_SMTPUTF8=True),
        host=host,
        port=port,
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    log.info("listening on %s:%d, saving mail to %s", host, port, directory)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        log.info("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("SMTP_SINK_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMTP_SINK_PORT", "1025")))
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("MAIL_DIR", "var/mail")))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stdout,
        format="%(asctime)s %(levelname)-7s smtp-sink: %(message)s",
    )
    # aiosmtpd logs every SMTP command at INFO; one line per mail is enough.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    args.dir.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(serve(args.host, args.port, args.dir))
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", args.host, args.port, exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
