"""The parts of `bench.raw_e2e`, each run in a process of its own: intake, relay, two consumers.

Every part gets a `Config` and one end of a pipe. It says {"ready": True} once set up, then
answers commands until ("stop",), and then its stats. The intake takes ("prepare", first,
count) (build the bodies, before the clock) and ("go", rate) (offer them, open loop; answers
when each started). Notifications also answers ("complete" | "lasts", lo, hi, need) from the
tally of SMTP replies, used when the SMTP server is not our sink. A part that fails sends
{"error": traceback}. `RAW_E2E_PROFILE=<part>` runs that part under cProfile (the stats go
to /tmp/raw_e2e_<part>.prof).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import json
import os
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing.connection import Connection
from typing import Any

import aio_pika
import aiosmtplib
import asyncpg
from aio_pika.abc import AbstractIncomingMessage

from bench._raw import (
    MAIL_FROM_ADDRESS,
    build_message,
    business_ids,
    registration_body,
    render_receipt,
)
from bench._smtp import Tally
from shared.clock import SystemClock

DOORBELL = "raw_outbox"

SCHEMA_REGISTRATION = """
CREATE TABLE registrations (
    id uuid PRIMARY KEY, business_id varchar(9) NOT NULL, organisation_name varchar(200) NOT NULL,
    oid text NOT NULL, sector text NOT NULL, domain text NOT NULL, service text NOT NULL,
    reason text NOT NULL, period_year int NOT NULL, period_number int NOT NULL,
    planned_production_start date, vendor_handles_support bool NOT NULL,
    registration_required bool NOT NULL, system jsonb NOT NULL, customership jsonb NOT NULL,
    contacts jsonb NOT NULL, warnings jsonb NOT NULL, has_warnings bool NOT NULL,
    state varchar(32) NOT NULL, submitted_by text NOT NULL, submitted_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL);
CREATE INDEX ix_registrations_business_id ON registrations (business_id);
CREATE INDEX ix_registrations_state ON registrations (state);
CREATE INDEX ix_registrations_period_updated
    ON registrations (period_year, period_number, updated_at, id);
CREATE TABLE outbox (
    id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, event_type varchar(200) NOT NULL,
    correlation_id varchar(200) NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL,
    available_at timestamptz NOT NULL, attempts int NOT NULL DEFAULT 0, last_error text,
    sent_at timestamptz);
CREATE INDEX ix_outbox_pending ON outbox (available_at, id) WHERE sent_at IS NULL;
"""
SCHEMA_INBOX = """
CREATE TABLE inbox (
    consumer varchar(200) NOT NULL, event_id uuid NOT NULL, event_type varchar(200) NOT NULL,
    processed_at timestamptz NOT NULL, PRIMARY KEY (consumer, event_id));
"""
SCHEMA_SCHEDULING = (
    SCHEMA_INBOX
    + """
CREATE TABLE known_registrations (
    registration_id uuid PRIMARY KEY, organisation_name text NOT NULL, business_id text NOT NULL,
    participants jsonb NOT NULL, state text NOT NULL, period_year int NOT NULL,
    period_number int NOT NULL, service text NOT NULL, domain text NOT NULL,
    submitted_at timestamptz NOT NULL, received_at timestamptz NOT NULL);
"""
)
SCHEMA_NOTIFICATIONS = (
    SCHEMA_INBOX
    + """
CREATE TABLE known_registrations (
    registration_id uuid PRIMARY KEY, business_id text NOT NULL, organisation_name text NOT NULL,
    updated_at timestamptz NOT NULL);
CREATE TABLE mails (
    id uuid PRIMARY KEY, message_id text NOT NULL UNIQUE, event_id uuid NOT NULL,
    correlation_id text NOT NULL, registration_id uuid, business_id text,
    recipient text NOT NULL, language text NOT NULL, template text NOT NULL,
    subject text NOT NULL, body_text text NOT NULL, body_html text NOT NULL,
    status text NOT NULL, attempts int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL, sent_at timestamptz, last_reply text,
    UNIQUE (event_id, recipient));
CREATE INDEX ix_mails_due ON mails (due_at) WHERE status = 'queued';
CREATE INDEX ix_mails_registration ON mails (registration_id);
"""
)

# Every transaction is ONE statement (data-modifying CTEs, autocommitted): one round trip.
REGISTER = f"""
WITH registration AS (
    INSERT INTO registrations (
        id, business_id, organisation_name, oid, sector, domain, service, reason, period_year,
        period_number, planned_production_start, vendor_handles_support, registration_required,
        system, customership, contacts, warnings, has_warnings, state, submitted_by,
        submitted_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $21)
), event AS (
    INSERT INTO outbox (event_id, event_type, correlation_id, body, created_at, available_at)
    VALUES ($22, 'registration.submitted', $23, $24, $21, $21) RETURNING 1
)
SELECT pg_notify('{DOORBELL}', '') FROM event
"""
PENDING = """
SELECT id, event_id, event_type, body FROM outbox
WHERE sent_at IS NULL AND available_at <= now() ORDER BY available_at, id LIMIT $1
"""
MARK_PUBLISHED = "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])"
# A batch: its inbox rows, and the consumer's own rows for the events new to the inbox only.
# (Two events of one registration in one batch would upsert its row twice: not in this bench.)
APPLY_SCHEDULING = """
WITH batch AS (
    SELECT DISTINCT ON (e) * FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[],
        $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[], $12::text[],
        $13::timestamptz[]) AS t(e, et, r, o, b, p, s, y, n, sv, d, sa)
), new AS (
    INSERT INTO inbox (consumer, event_id, event_type, processed_at)
    SELECT $1, e, et, now() FROM batch ON CONFLICT DO NOTHING RETURNING event_id
), own AS (
    INSERT INTO known_registrations (registration_id, organisation_name, business_id,
        participants, state, period_year, period_number, service, domain, submitted_at,
        received_at)
    SELECT r, o, b, p::jsonb, s, y, n, sv, d, sa, now() FROM batch JOIN new ON event_id = e
    ON CONFLICT (registration_id) DO UPDATE SET organisation_name = EXCLUDED.organisation_name,
        business_id = EXCLUDED.business_id, participants = EXCLUDED.participants,
        state = EXCLUDED.state, period_year = EXCLUDED.period_year,
        period_number = EXCLUDED.period_number, service = EXCLUDED.service,
        domain = EXCLUDED.domain
)
SELECT event_id FROM new
"""
APPLY_NOTIFICATIONS = """
WITH new AS (
    INSERT INTO inbox (consumer, event_id, event_type, processed_at)
    SELECT DISTINCT $1, e, t, now() FROM unnest($2::uuid[], $3::text[]) AS i(e, t)
    ON CONFLICT DO NOTHING RETURNING event_id
), seen AS (
    INSERT INTO known_registrations (registration_id, business_id, organisation_name, updated_at)
    SELECT r, b, o, now() FROM unnest($2::uuid[], $4::uuid[], $5::text[], $6::text[])
        AS k(e, r, b, o) JOIN new ON event_id = e
    ON CONFLICT (registration_id) DO UPDATE SET business_id = EXCLUDED.business_id,
        organisation_name = EXCLUDED.organisation_name, updated_at = EXCLUDED.updated_at
), queued AS (
    INSERT INTO mails (id, message_id, event_id, correlation_id, registration_id, business_id,
        recipient, language, template, subject, body_text, body_html, status, created_at,
        due_at)
    SELECT i, m, e, c, r, b, rc, 'fi', t, s, bt, bh, 'queued', ca, ca
    FROM unnest($7::uuid[], $8::text[], $9::uuid[], $10::text[], $11::uuid[], $12::text[],
                $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                $18::timestamptz[]) AS u(i, m, e, c, r, b, rc, t, s, bt, bh, ca)
    JOIN new ON event_id = e
)
SELECT event_id FROM new
"""
MARK_SENT = """
UPDATE mails SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_reply = '250'
WHERE id = ANY($1::uuid[])
"""


@dataclass(frozen=True)
class Config:
    """What every part needs to know; pickled into each process."""

    amqp_url: str
    exchange: str
    registration_dsn: str
    scheduling_dsn: str
    notifications_dsn: str
    scheduling_queue: str
    notifications_queue: str
    smtp_host: str
    smtp_port: int
    track_replies: bool  # notifications notes SMTP replies (when the server is not our sink)
    mails_per_registration: int = 1
    smtp_connections: int = 1
    pool_size: int = 10
    prefetch: int = 64
    batch_max: int = 50
    linger_ms: float = 5.0
    relay_batch: int = 200


# ---- plumbing between processes -------------------------------------------------------------


async def recv(conn: Connection, timeout: float | None = None) -> Any:
    """conn.recv() without blocking the event loop."""
    if not conn.poll():
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        fd = conn.fileno()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, ready)
        try:
            await asyncio.wait_for(readable, timeout)
        finally:
            loop.remove_reader(fd)
    return conn.recv()


def child(part: str, cfg: Config, conn: Connection) -> None:
    try:
        if os.environ.get("RAW_E2E_PROFILE") == part:  # e.g. RAW_E2E_PROFILE=notifications
            with cProfile.Profile() as profile:
                asyncio.run(PARTS[part](cfg, conn))
            profile.dump_stats(f"/tmp/raw_e2e_{part}.prof")
            return
        asyncio.run(PARTS[part](cfg, conn))
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send({"error": f"{part}: {traceback.format_exc()}"})
        raise


async def _until_stopped(
    conn: Connection,
    work: Coroutine[Any, Any, None],
    stats: Callable[[], dict[str, Any]],
    tally: Tally | None = None,
) -> None:
    """Say ready, run `work` and answer commands until "stop"; then answer the stats."""
    task = asyncio.create_task(work)
    conn.send({"ready": True})
    try:
        while True:
            receiving = asyncio.ensure_future(recv(conn))
            await asyncio.wait({task, receiving}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                receiving.cancel()
                task.result()
                raise RuntimeError("the work loop ended")
            command = receiving.result()
            if command[0] == "stop":
                break
            conn.send(stats() if command[0] == "stats" else (tally or Tally()).answer(command))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    conn.send(stats())


# ---- intake --------------------------------------------------------------------------------


def _rows(body: bytes) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The registration row and its outbox row, straight from the JSON body."""
    form = json.loads(body)
    organisation, period = form["organisation"], form["period"]
    registration_id, event_id, now = uuid.uuid4(), uuid.uuid4(), SystemClock().now()
    registration = (
        registration_id,
        organisation["business_id"],
        organisation["name"],
        organisation["oid"],
        organisation["sector"],
        organisation["domain"],
        form["service"],
        form["reason"],
        period["year"],
        period["number"],
        date.fromisoformat(form["planned_production_start"]),
        form.get("vendor_handles_support", False),
        True,
        json.dumps(form["system"]),
        json.dumps(form["customership"]),
        json.dumps(form["contacts"]),
        "[]",
        False,
        "submitted",
        "raw",
        now,
    )
    event = {
        "event_id": str(event_id),
        "event_type": "registration.submitted",
        "version": 1,
        "occurred_at": now.isoformat(),
        "producer": "registration",
        "correlation_id": str(event_id),
        "payload": {
            "registration_id": str(registration_id),
            "state": "submitted",
            **form,
            "registration_required": True,
            "warnings": [],
            "submitted_at": now.isoformat(),
        },
    }
    return registration, (event_id, str(event_id), json.dumps(event))


async def _register(pool: Any, body: bytes) -> None:
    registration, outbox = _rows(body)
    await pool.execute(REGISTER, *registration, *outbox)  # one statement: one transaction


async def _offer(pool: Any, bodies: list[bytes], rate: float) -> dict[str, Any]:
    """Hand each body to the intake at its time (open loop); when each one started."""
    submitted = [0.0] * len(bodies)
    failures: list[str] = []

    async def one(index: int) -> None:
        submitted[index] = time.monotonic()
        try:
            await _register(pool, bodies[index])
        except (asyncpg.PostgresError, OSError) as exc:
            failures.append(repr(exc))

    tasks: list[asyncio.Task[None]] = []
    started = time.monotonic()
    while len(tasks) < len(bodies):
        due = min(len(bodies), int((time.monotonic() - started) * rate) + 1)
        tasks.extend(asyncio.create_task(one(i)) for i in range(len(tasks), due))
        await asyncio.sleep(max(0.0, started + len(tasks) / rate - time.monotonic()))
    await asyncio.gather(*tasks)
    return {
        "submitted": submitted,
        "failures": len(failures),
        "failure_sample": failures[:3],
        "seconds": time.monotonic() - started,
    }


async def intake(cfg: Config, conn: Connection) -> None:
    pool = await asyncpg.create_pool(
        cfg.registration_dsn, min_size=cfg.pool_size, max_size=cfg.pool_size
    )
    ids = business_ids()
    bodies: list[bytes] = []
    conn.send({"ready": True})
    try:
        while True:
            command = await recv(conn)
            if command[0] == "prepare":  # the load generator's work, before the clock starts
                _, first, count = command
                bodies = [
                    json.dumps(
                        registration_body(next(ids), email=f"r{first + i}m0@bench.example")
                    ).encode()
                    for i in range(count)
                ]
                conn.send({"prepared": count})
            elif command[0] == "go":
                conn.send(await _offer(pool, bodies, command[1]))
            else:
                break
    finally:
        await pool.close()
    conn.send({"stopped": True})


# ---- relay ---------------------------------------------------------------------------------


async def relay(cfg: Config, conn: Connection) -> None:
    db = await asyncpg.connect(cfg.registration_dsn)
    listener = await asyncpg.connect(cfg.registration_dsn)
    bell = asyncio.Event()
    await listener.add_listener(DOORBELL, lambda *_: bell.set())
    broker = await aio_pika.connect(cfg.amqp_url)
    channel = await broker.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(cfg.exchange, ensure=False)
    stats: Counter[str] = Counter()

    async def work() -> None:
        while True:
            bell.clear()
            rows = await db.fetch(PENDING, cfg.relay_batch)
            if not rows:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(bell.wait(), 0.5)
                continue
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            row["body"].encode(),
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            message_id=str(row["event_id"]),
                            content_type="application/json",
                            type=row["event_type"],
                        ),
                        routing_key=row["event_type"],
                    )
                    for row in rows
                )
            )
            await db.execute(MARK_PUBLISHED, [row["id"] for row in rows])
            stats["passes"] += 1
            stats["published"] += len(rows)

    try:
        await _until_stopped(conn, work(), lambda: dict(stats))
    finally:
        await broker.close()
        await listener.close()
        await db.close()


# ---- the two consumers ---------------------------------------------------------------------

# Applies a batch in one transaction (inbox and own rows); answers the event ids new to it.
Apply = Callable[[Any, list[dict[str, Any]]], Awaitable[set[str]]]


async def _consume(
    cfg: Config,
    queue_name: str,
    db: Any,
    apply: Apply,
    stats: Counter[str],
) -> Callable[[], Coroutine[Any, Any, None]]:
    """Start consuming; the loop that applies what waits in batches, one transaction each."""
    broker = await aio_pika.connect(cfg.amqp_url)
    channel = await broker.channel()
    await channel.set_qos(prefetch_count=cfg.prefetch)
    queue = await channel.get_queue(queue_name, ensure=False)
    waiting: list[AbstractIncomingMessage] = []
    wake = asyncio.Event()

    async def on_message(message: AbstractIncomingMessage) -> None:
        waiting.append(message)
        wake.set()

    await queue.consume(on_message)

    async def work() -> None:
        try:
            while True:
                await wake.wait()
                wake.clear()
                await asyncio.sleep(0)  # deliveries of this same moment join
                if 1 < len(waiting) < cfg.batch_max:
                    await asyncio.sleep(cfg.linger_ms / 1000)
                batch = waiting[: cfg.batch_max]
                del waiting[: cfg.batch_max]
                if waiting:
                    wake.set()
                if not batch:
                    continue
                new = await apply(db, [json.loads(message.body) for message in batch])
                await batch[-1].ack(multiple=True)
                stats["transactions"] += 1
                stats["events"] += len(batch)
                stats["duplicates"] += len(batch) - len(new)
        finally:
            await broker.close()

    return work


async def scheduling(cfg: Config, conn: Connection) -> None:
    db = await asyncpg.connect(cfg.scheduling_dsn)
    stats: Counter[str] = Counter()

    async def apply(db: Any, events: list[dict[str, Any]]) -> set[str]:
        p = [e["payload"] for e in events]
        participants = [
            json.dumps(
                [
                    {"name": c["name"], "email": c["email"], "language": c["language"]}
                    for c in x["contacts"]
                    if c.get("participates")
                ]
            )
            for x in p
        ]
        rows = await db.fetch(
            APPLY_SCHEDULING,
            cfg.scheduling_queue,
            [e["event_id"] for e in events],
            [e["event_type"] for e in events],
            [x["registration_id"] for x in p],
            [x["organisation"]["name"] for x in p],
            [x["organisation"]["business_id"] for x in p],
            participants,
            [x["state"] for x in p],
            [x["period"]["year"] for x in p],
            [x["period"]["number"] for x in p],
            [x["service"] for x in p],
            [x["organisation"]["domain"] for x in p],
            [datetime.fromisoformat(x["submitted_at"]) for x in p],
        )
        return {str(row["event_id"]) for row in rows}

    work = await _consume(cfg, cfg.scheduling_queue, db, apply, stats)
    try:
        await _until_stopped(conn, work(), lambda: dict(stats))
    finally:
        await db.close()


@dataclass(frozen=True)
class _Queued:
    id: uuid.UUID
    message_id: str
    correlation_id: str
    recipient: str
    subject: str
    text: str
    html: str
    created_at: datetime


def _mails_of(event: dict[str, Any], count: int, now: datetime) -> list[_Queued]:
    """The receipt to each contact, then staff copies until there are `count` mails."""
    payload = event["payload"]
    outgoing = [(c["email"], c["name"], False) for c in payload["contacts"]]
    base = payload["contacts"][0]["email"].partition("@")[0].rpartition("m")[0]
    outgoing += [(f"{base}m{j}@staff.bench.example", "", True) for j in range(len(outgoing), count)]
    mails = []
    for recipient, name, staff in outgoing:
        subject, text, html_body = render_receipt(payload, contact=name, staff_copy=staff)
        mail_id = uuid.uuid4()
        mails.append(
            _Queued(
                mail_id,
                f"<{mail_id}@kanta.example>",
                event["correlation_id"],
                recipient,
                subject,
                text,
                html_body,
                now,
            )
        )
    return mails


async def notifications(cfg: Config, conn: Connection) -> None:
    db = await asyncpg.connect(cfg.notifications_dsn)
    recorder_db = await asyncpg.connect(cfg.notifications_dsn)
    stats: Counter[str] = Counter()
    tally = Tally()
    outgoing: asyncio.Queue[_Queued] = asyncio.Queue()
    sent: list[uuid.UUID] = []
    sent_bell = asyncio.Event()

    async def apply(db: Any, events: list[dict[str, Any]]) -> set[str]:
        now = SystemClock().now()
        p = [e["payload"] for e in events]
        rows: list[tuple[Any, ...]] = []
        queued: list[tuple[str, _Queued]] = []
        for event in events:
            payload = event["payload"]
            for mail in _mails_of(event, cfg.mails_per_registration, now):
                staff = mail.recipient.endswith("@staff.bench.example")
                rows.append(
                    (
                        mail.id,
                        mail.message_id,
                        event["event_id"],
                        mail.correlation_id,
                        payload["registration_id"],
                        None if staff else payload["organisation"]["business_id"],
                        mail.recipient,
                        "registration_staff_copy" if staff else "registration_received",
                        mail.subject,
                        mail.text,
                        mail.html,
                        now,
                    )
                )
                queued.append((event["event_id"], mail))
        new = {
            str(row["event_id"])
            for row in await db.fetch(
                APPLY_NOTIFICATIONS,
                cfg.notifications_queue,
                [e["event_id"] for e in events],
                [e["event_type"] for e in events],
                [x["registration_id"] for x in p],
                [x["organisation"]["business_id"] for x in p],
                [x["organisation"]["name"] for x in p],
                *(list(column) for column in zip(*rows, strict=True)),
            )
        }
        for event_id, mail in queued:  # committed: over to the senders
            if event_id in new:
                outgoing.put_nowait(mail)
        return new

    async def sender() -> None:
        smtp = aiosmtplib.SMTP(hostname=cfg.smtp_host, port=cfg.smtp_port)
        await smtp.connect()
        try:
            while True:
                mail = await outgoing.get()
                message = build_message(
                    message_id=mail.message_id,
                    created_at=mail.created_at,
                    recipient=mail.recipient,
                    subject=mail.subject,
                    text=mail.text,
                    html_body=mail.html,
                    correlation_id=mail.correlation_id,
                )
                await smtp.send_message(
                    message, sender=MAIL_FROM_ADDRESS, recipients=[mail.recipient]
                )
                if cfg.track_replies:
                    tally.note([mail.recipient], time.monotonic())
                sent.append(mail.id)
                sent_bell.set()
        finally:
            with contextlib.suppress(aiosmtplib.SMTPException):
                await smtp.quit()

    async def recorder() -> None:
        while True:
            await sent_bell.wait()
            sent_bell.clear()
            ids = sent[:]
            del sent[:]
            await recorder_db.execute(MARK_SENT, ids)
            stats["mails_sent"] += len(ids)
            stats["sent_records"] += 1

    consume = await _consume(cfg, cfg.notifications_queue, db, apply, stats)

    async def work() -> None:
        await asyncio.gather(
            consume(), recorder(), *(sender() for _ in range(cfg.smtp_connections))
        )

    try:
        await _until_stopped(conn, work(), lambda: dict(stats), tally)
    finally:
        await recorder_db.close()
        await db.close()


PARTS: dict[str, Callable[[Config, Connection], Coroutine[Any, Any, None]]] = {
    "intake": intake,
    "relay": relay,
    "scheduling": scheduling,
    "notifications": notifications,
}
