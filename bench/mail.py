"""Mail: the notifications sender draining queued mails, against raw aiosmtplib, same run.

    python -m bench.mail [--mails 1000] [--runs 3]

Both send to the same SMTP server (aiosmtpd with a discarding handler, in its own process).
Ceiling: raw aiosmtplib building the very same MIME messages from the stored mails (with the
same function) and sending them over one reused connection: what any sender has to do.
Our path: `MailSender` claiming batches from the mail outbox on PostgreSQL, sending over one
connection per batch and recording each outcome in its own transaction.
The mails are queued beforehand through the real handler of `registration.submitted`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import subprocess
import sys
import time
import uuid
from datetime import date
from typing import Any

import aiosmtplib
from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel import select as model_select

from bench._common import PgDatabase, Spread, Stopwatch, record
from services.notifications.adapters.mime import build_message
from services.notifications.adapters.tables import Mail
from services.notifications.app.sender import MailSender
from services.notifications.consumers import consumer_specs
from services.notifications.main import MIGRATIONS, build_runtime, mailer_for
from services.notifications.settings import NotificationsSettings
from shared.clock import SystemClock
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationSubmitted
from shared.events import make_envelope
from shared.loops import Doorbell
from shared.migrations import upgrade_to_head
from shared.runtime import Runtime


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def smtp_sink(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import socket

    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def submitted(i: int) -> RegistrationSubmitted:
    return RegistrationSubmitted(
        registration_id=uuid.uuid4(),
        state="submitted",
        organisation=OrganisationRef(
            name=f"Esimerkki {i} Oy",
            business_id="2077474-0",
            domain="health_care",
            sector="private",
        ),
        service="patient_data_repository",
        reason="first_deployment",
        period=PeriodRef(year=2027, number=1),
        planned_production_start=date(2027, 4, 15),
        contacts=[Contact(name=f"Maija {i}", email=f"maija.{i}@example.fi", language="fi")],
        submitted_at=SystemClock().now(),
    )


async def queue(runtime: Runtime[Any], settings: NotificationsSettings, n: int) -> list[Mail]:
    """Queue n receipts through the real handler; return the new mail rows."""
    handler = next(
        spec.handlers["registration.submitted"]
        for spec in consumer_specs(mailer=mailer_for(settings, Doorbell()), clock=SystemClock())
        if "registration.submitted" in spec.handlers
    )
    started = SystemClock().now()
    for offset in range(0, n, 100):
        async with runtime.uow() as uow:
            for i in range(offset, min(n, offset + 100)):
                payload = submitted(i)
                await handler(uow, payload, make_envelope(payload, producer="bench"))
            await uow.commit()
    async with runtime.sessions() as session:
        rows = await session.exec(model_select(Mail).where(col(Mail.created_at) >= started))
        return list(rows)


async def raw_ceiling(settings: NotificationsSettings, mails: list[Mail]) -> float:
    """Build each stored mail's MIME message and send it: the least any sender must do."""
    client = aiosmtplib.SMTP(hostname=settings.smtp_host, port=settings.smtp_port)
    await client.connect()
    try:
        with Stopwatch() as watch:
            for mail in mails:
                await client.send_message(
                    build_message(mail, mail_from=settings.mail_from),
                    sender=settings.mail_from_address,
                    recipients=[mail.recipient],
                )
    finally:
        await client.quit()
    return len(mails) / watch.seconds


async def our_path(runtime: Runtime[Any], settings: NotificationsSettings, n: int) -> float:
    sender = MailSender(uow_factory=runtime.uow, settings=settings, clock=runtime.clock)

    async def queued() -> int:
        async with runtime.engine.connect() as conn:
            query = select(func.count()).select_from(Mail).where(Mail.status == "queued")  # type: ignore[arg-type]
            return int((await conn.execute(query)).scalar_one())

    assert await queued() == n
    with Stopwatch() as watch:
        while (await sender.send_due()).claimed:
            pass
    assert await queued() == 0
    return n / watch.seconds


async def main(mails: int, runs: int) -> dict[str, Any]:
    port = free_port()
    sink = smtp_sink(port)
    raw: list[float] = []
    ours: list[float] = []
    try:
        async with PgDatabase("mail") as database:
            settings = NotificationsSettings(
                database_url=database.url,
                smtp_port=port,
                staff_mailbox=None,
                migrate_on_startup=False,
                log_level="WARNING",
            )
            runtime = build_runtime(settings, SystemClock())
            await upgrade_to_head(runtime.engine, MIGRATIONS)
            try:
                for _ in range(runs):
                    batch = await queue(runtime, settings, mails)
                    raw.append(await raw_ceiling(settings, batch))
                    ours.append(await our_path(runtime, settings, mails))
            finally:
                await runtime.engine.dispose()
                await runtime.relay_engine.dispose()
    finally:
        sink.terminate()
        sink.wait()
    ratios = [o / r for o, r in zip(ours, raw, strict=True)]
    print(f"mail: raw aiosmtplib       {Spread.of(raw).show(' mails/s', 0)}")
    print(f"mail: notifications sender {Spread.of(ours).show(' mails/s', 0)}")
    print(f"mail: ratio                {Spread.of(ratios).show('×', 2)}  (goal ≥ 0.8×)")
    return {
        "mails": mails,
        "runs": runs,
        "raw_mails_per_s": Spread.of(raw).__dict__,
        "ours_mails_per_s": Spread.of(ours).__dict__,
        "ratio": Spread.of(ratios).__dict__,
        "goal": 0.8,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main(args.mails, args.runs))
    record("mail", result, {"mail_ratio": result["ratio"]["median"]})
