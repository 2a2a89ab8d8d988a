"""Helpers the tests share: real servers on loopback, unique names, apps with their lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any

import aio_pika
import aio_pika.abc
import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI

from shared.auth import Principal, Role, TokenIssuer
from shared.clock import SystemClock
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationSubmitted
from shared.settings import ServiceSettings

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def unique(prefix: str) -> str:
    """A short unique name, so tests never share state by accident."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class CapturingHandler:
    """An aiosmtpd handler that keeps every accepted mail and can answer scripted replies.

    `replies` is consumed one per DATA command: e.g. ["451 4.3.0 try later", "250 OK"].
    `rcpt_replies` maps an address to a fixed RCPT reply (e.g. "550 5.1.1 no such user").
    """

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_commands: int = 0

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        reply = self.rcpt_replies.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_commands += 1
        if self.replies:
            reply = self.replies.pop(0)
            if not reply.startswith("250"):
                return reply
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Mails accepted for one recipient."""
        return [
            m
            for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
            if address in rcpts
        ]


@contextlib.contextmanager
def smtp_server(handler: CapturingHandler | None = None, **options: Any) -> Any:
    """A real aiosmtpd SMTP server on a free loopback port; yields (host, port, handler).

    `options` go to aiosmtpd's server (e.g. `enable_SMTPUTF8=False`).
    """
    handler = handler or CapturingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield "127.0.0.1", port, handler
    finally:
        controller.stop()


@contextlib.asynccontextmanager
async def fresh_channel(timeout: float = 60.0) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel on a new plain connection, once the broker answers (e.g. after a restart).

    For clean-ups after a broker restart, when a test's robust connection may still be
    reconnecting.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            connection = await aio_pika.connect(AMQP_URL)
            break
        except (OSError, aio_pika.exceptions.AMQPConnectionError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        yield await connection.channel()
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give an HTTP client bound to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def eventually(
    check: Callable[[], Any],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Poll `check` (sync or async) until it returns a truthy value; fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


class EventCatcher:
    """A quorum queue of the test's own, bound to the exchange, to see what was published."""

    def __init__(self, queue: aio_pika.abc.AbstractQueue) -> None:
        self.queue = queue

    async def next(self, timeout: float = 10.0) -> aio_pika.abc.AbstractIncomingMessage:
        """The next message, acked; fails after `timeout`."""

        async def get() -> aio_pika.abc.AbstractIncomingMessage | None:
            try:
                return await self.queue.get(fail=False, no_ack=True)
            except (aio_pika.exceptions.AMQPError, RuntimeError):
                return None  # the channel is being restored after a broker restart

        message = await eventually(get, timeout=timeout, what=f"a message on {self.queue.name}")
        assert isinstance(message, aio_pika.abc.AbstractIncomingMessage)
        return message

    async def drain(self, quiet_for: float = 0.6) -> list[aio_pika.abc.AbstractIncomingMessage]:
        """Everything that arrives until nothing has come for `quiet_for` seconds."""
        messages: list[aio_pika.abc.AbstractIncomingMessage] = []
        loop = asyncio.get_running_loop()
        last = loop.time()
        while loop.time() - last < quiet_for:
            message = await self.queue.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            messages.append(message)
            last = loop.time()
        return messages


@contextlib.asynccontextmanager
async def catch_events(
    connection: aio_pika.abc.AbstractRobustConnection, exchange: str, *routing_keys: str
) -> AsyncIterator[EventCatcher]:
    """Bind a fresh queue to `exchange` for `routing_keys` (default: everything)."""
    channel = await connection.channel()
    ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(
        unique("catcher"),
        durable=True,
        arguments={"x-queue-type": "quorum", "x-expires": 10 * 60 * 1000},
    )
    for key in routing_keys or ("#",):
        await queue.bind(ex, routing_key=key)
    try:
        yield EventCatcher(queue)
    finally:
        with contextlib.suppress(Exception):
            await queue.delete(if_unused=False, if_empty=False)
        with contextlib.suppress(Exception):
            await channel.close()


def submitted_event(
    name: str = "Esimerkki Terveys Oy",
    *,
    contacts: list[Contact] | None = None,
    registration_required: bool = True,
) -> RegistrationSubmitted:
    """A `registration.submitted` payload with a new registration id and one Finnish contact."""
    return RegistrationSubmitted(
        registration_id=uuid.uuid4(),
        state="submitted",
        organisation=OrganisationRef(
            name=name, business_id="2077474-0", domain="health_care", sector="private"
        ),
        service="patient_data_repository",
        reason="first_deployment",
        period=PeriodRef(year=2027, number=1),
        planned_production_start=date(2027, 4, 15),
        registration_required=registration_required,
        warnings=[],
        contacts=contacts
        or [
            Contact(
                name="Maija",
                email="maija@example.fi",
                language="fi",
                role="technical",
                participates=True,
            )
        ],
        submitted_at=SystemClock().now(),
    )


def bearer(
    settings: ServiceSettings,
    role: Role = "staff",
    business_id: str | None = None,
    *,
    client_id: str | None = None,
    ttl_s: int = 900,
    now: float | None = None,
) -> dict[str, str]:
    """An `Authorization` header with a token the services accept (signed with their key)."""
    if role == "organisation" and business_id is None:
        business_id = "2077474-0"
    principal = Principal(
        client_id=client_id or unique("client"), role=role, business_id=business_id
    )
    token = TokenIssuer(settings, ttl_s=ttl_s).issue(principal, now=now)
    return {"Authorization": f"Bearer {token}"}
