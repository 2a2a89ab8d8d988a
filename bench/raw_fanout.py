"""The raw fan-out ceiling: aiosmtplib sending N prepared mails over K connections.

    python -m bench.raw_fanout [--mails 1000] [--connections 1] [--runs 3] [--smtp host:port]
                               [--flattened]

The N receipts (multipart/alternative, plain + HTML, as `raw_e2e` and the notifications
service send them) are built as `EmailMessage`s before the clock starts, and the K
connections opened; then K tasks share the N mails, each sending one at a time over its own
connection (`send_message`, which flattens the message). With `--flattened` the messages are
flattened to bytes beforehand too (`sendmail`): the SMTP dialogue alone. The CPU of building
them (before the clock) is reported apart. The default K is the notifications sender's: one
sending loop, one SMTP session at a time (batches of MAIL_BATCH_SIZE = 50 over one
connection; services/notifications/app/sender.py). The SMTP server is `bench._smtp`'s aiosmtpd sink
in its own process (or `--smtp host:port`). Reports mails/s (first send to last reply) and
the CPU per mail of this sending process and of the sink, from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import time
import uuid
from email.generator import BytesGenerator
from email.message import EmailMessage
from io import BytesIO
from typing import Any

import aiosmtplib

from bench._common import Spread
from bench._raw import (
    MAIL_FROM_ADDRESS,
    build_message,
    business_ids,
    cpu_seconds,
    registration_body,
    render_receipt,
    save,
)
from bench._smtp import SmtpSink
from shared.clock import SystemClock

DEFAULT_CONNECTIONS = 1  # services/notifications: one sender loop, one session per pass


def prepared(count: int, start: int) -> list[EmailMessage]:
    """`count` receipts to r<i>m0@bench.example, i from `start`, built as the service does."""
    now = SystemClock().now()
    ids = business_ids()
    messages = []
    for i in range(start, start + count):
        recipient = f"r{i}m0@bench.example"
        payload = {
            "registration_id": str(uuid.uuid4()),
            **registration_body(next(ids), email=recipient),
            "submitted_at": now.isoformat(),
        }
        subject, text, html = render_receipt(
            payload, contact="Tekninen Yhteyshenkilö", staff_copy=False
        )
        messages.append(
            build_message(
                message_id=f"<{uuid.uuid4()}@kanta.example>",
                created_at=now,
                recipient=recipient,
                subject=subject,
                text=text,
                html_body=html,
                correlation_id=str(uuid.uuid4()),
            )
        )
    return messages


def _flatten(message: EmailMessage) -> bytes:
    out = BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    return out.getvalue()


async def send_all(
    messages: list[tuple[str, EmailMessage | bytes]], *, host: str, port: int, connections: int
) -> float:
    """Send every (recipient, message) over `connections` open connections; the seconds."""
    clients = [aiosmtplib.SMTP(hostname=host, port=port) for _ in range(connections)]
    await asyncio.gather(*(c.connect() for c in clients))
    work = iter(messages)

    async def worker(client: aiosmtplib.SMTP) -> None:
        for recipient, message in work:
            if isinstance(message, bytes):
                await client.sendmail(MAIL_FROM_ADDRESS, [recipient], message)
            else:
                await client.send_message(message, sender=MAIL_FROM_ADDRESS, recipients=[recipient])

    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in clients))
        return time.perf_counter() - started
    finally:
        for client in clients:
            with contextlib.suppress(aiosmtplib.SMTPException):
                await client.quit()


async def measure(
    *,
    mails: int = 1000,
    connections: int = DEFAULT_CONNECTIONS,
    runs: int = 3,
    smtp: str | None = None,
    flattened: bool = False,
) -> dict[str, Any]:
    """`runs` runs of N mails over K connections; mails/s and CPU per mail, as saved."""
    rates: list[float] = []
    sender_ms: list[float] = []
    build_ms: list[float] = []
    server_ms: list[float] = []
    delivered: list[int] = []
    sink = SmtpSink() if smtp is None else None
    with sink or contextlib.nullcontext():
        if sink is not None:
            host, port = "127.0.0.1", sink.port
        else:
            host, _, number = str(smtp).rpartition(":")
            port = int(number)
        for run in range(runs):
            # Held all at once, the messages would make every GC pass slower (building and
            # sending alike), which one mail at a time does not: no GC while building, and
            # the built ones frozen out of the collector until the run is over.
            gc.disable()
            built = cpu_seconds(os.getpid())
            messages: list[tuple[str, EmailMessage | bytes]] = [
                (str(m["To"]), _flatten(m) if flattened else m)
                for m in prepared(mails, start=run * mails)
            ]
            build_ms.append(1000 * (cpu_seconds(os.getpid()) - built) / mails)
            gc.freeze()
            gc.enable()
            before = sink.total() if sink else 0
            own, server = cpu_seconds(os.getpid()), cpu_seconds(sink.pid) if sink else 0.0
            seconds = await send_all(messages, host=host, port=port, connections=connections)
            sender_ms.append(1000 * (cpu_seconds(os.getpid()) - own) / mails)
            if sink is not None:
                server_ms.append(1000 * (cpu_seconds(sink.pid) - server) / mails)
                delivered.append(sink.total() - before)
            rates.append(mails / seconds)
            del messages
            gc.unfreeze()
    figures: dict[str, Any] = {
        "mails": mails,
        "connections": connections,
        "flattened_beforehand": flattened,
        "smtp": smtp or "aiosmtpd sink (bench._smtp), own process",
        "mails_per_s": Spread.of(rates).__dict__,
        "sender_cpu_ms_per_mail": Spread.of(sender_ms).__dict__,
        # Rendering and building each EmailMessage (and flattening it, with --flattened),
        # before the clock: not in mails/s nor in the sender's CPU above.
        "build_cpu_ms_per_mail": Spread.of(build_ms).__dict__,
    }
    if sink is not None:
        figures["smtp_server_cpu_ms_per_mail"] = Spread.of(server_ms).__dict__
        figures["delivered"] = delivered
        figures["lost"] = sum(mails - d for d in delivered)
    print(
        f"raw_fanout: {mails} mails over {connections} connection(s): "
        f"{Spread.of(rates).show(' mails/s', 0)}; sender CPU "
        f"{Spread.of(sender_ms).show(' ms/mail', 2)}; building beforehand "
        f"{Spread.of(build_ms).show(' ms/mail', 2)}"
        + (f"; SMTP server CPU {Spread.of(server_ms).show(' ms/mail', 2)}" if sink else "")
    )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smtp", help="host:port of an SMTP server (default: our own sink)")
    parser.add_argument("--flattened", action="store_true", help="flatten before the clock")
    parser.add_argument("--no-save", action="store_true", help="do not touch results.json")
    args = parser.parse_args()
    result = asyncio.run(
        measure(
            mails=args.mails,
            connections=args.connections,
            runs=args.runs,
            smtp=args.smtp,
            flattened=args.flattened,
        )
    )
    print(json.dumps(result, indent=2))
    if not args.no_save:
        default = args.connections == DEFAULT_CONNECTIONS and not args.flattened
        key = f"_k{args.connections}{'_flattened' if args.flattened else ''}"
        save("raw_fanout" + ("" if default else key), result)
