"""The webhooks service's test kit: a real receiver on loopback, events, a stdlib verifier."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aio_pika
import httpx
import uvicorn
from fastapi import FastAPI, Request, Response

from services.webhooks.main import create_app
from services.webhooks.settings import WebhooksSettings
from shared.contracts.common import Contact, Participant, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationAccepted
from shared.contracts.scheduling import EnrolmentConfirmed, LocalizedText, SessionInfo
from shared.events import Envelope, EventPayload, make_envelope
from shared.messaging.amqp import to_amqp_message
from shared.messaging.topology import declare_exchange
from tests.dates import now
from tests.support import bearer, eventually, free_port, running

ORG_A = "2077474-0"
ORG_B = "0204819-8"
Amqp = aio_pika.abc.AbstractRobustConnection


def verify_with_hmac(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The ten-line receiver check of Standard Webhooks, with nothing but the stdlib."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.partition(",")[2])
        for sig in headers["webhook-signature"].split()
        if sig.startswith("v1,")
    )


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()


@dataclass
class Receiver:
    """A FastAPI app on 127.0.0.1 that records every POST and answers from a script per path.

    `script[path]` is consumed one answer per request: (status, headers); then 200.
    """

    port: int
    script: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    delay_s: float = 0.0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{name}")
        async def hook(name: str, request: Request) -> Response:
            path = f"/{name}"
            self.received.append(
                Received(path, dict(request.headers), await request.body(), time.monotonic())
            )
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            answers = self.script.get(path) or []
            status, headers = answers.pop(0) if answers else (200, {})
            return Response(f"answer {status}", status_code=status, headers=headers)

        return app


@contextlib.asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    """A real HTTP receiver served by uvicorn on a free loopback port for one test."""
    rec = Receiver(port=free_port())
    server = uvicorn.Server(
        uvicorn.Config(rec.app(), host="127.0.0.1", port=rec.port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, what="the receiver to listen")
    try:
        yield rec
    finally:
        server.should_exit = True
        await task


def loopback_settings(make_settings: Callable[..., Any], **overrides: Any) -> WebhooksSettings:
    """Settings for a receiver on loopback: http allowed, the address check off (this test's
    own setting), a schedule shrunk to fractions of a second."""
    values: dict[str, Any] = {
        "webhook_allow_http": True,
        "webhook_check_addresses": False,
        "webhook_retry_delays_s": (0.2, 0.2, 0.2, 0.2),
        "webhook_retry_jitter": 0.0,
        "webhook_poll_interval_s": 0.1,
        "webhook_timeout_s": 3.0,
        "webhook_claim_ttl_s": 15.0,
        **overrides,
    }
    settings: WebhooksSettings = make_settings(WebhooksSettings, **values)
    return settings


@contextlib.asynccontextmanager
async def service(
    settings: WebhooksSettings, **options: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The webhooks app, running, its consumers bound to the test's exchange."""
    app = create_app(settings, **options)
    async with running(app) as client:
        await app.state.runtime.broker.wait_ready(10)
        yield app, client


def as_org(settings: WebhooksSettings, business_id: str) -> dict[str, str]:
    return bearer(settings, "organisation", business_id)


async def subscribe(
    client: httpx.AsyncClient,
    settings: WebhooksSettings,
    url: str,
    *,
    business_id: str = ORG_A,
    event_types: list[str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/v1/webhooks",
        json={"url": url, "event_types": event_types or ["registration.accepted"]},
        headers=as_org(settings, business_id),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def accepted(business_id: str = ORG_A, registration_id: uuid.UUID | None = None) -> Envelope:
    """A `registration.accepted` envelope of the organisation."""
    payload = RegistrationAccepted(
        registration_id=registration_id or uuid.uuid4(),
        state="accepted",
        organisation=OrganisationRef(
            name="Esimerkki Terveys Oy",
            business_id=business_id,
            domain="health_care",
            sector="private",
        ),
        service="patient_data_repository",
        reason="first_deployment",
        period=PeriodRef(year=now().year + 1, number=1),
        contacts=[Contact(name="Maija", email="maija@example.fi", language="fi")],
        revision=2,
    )
    return envelope_of(payload)


def enrolment(registration_id: uuid.UUID) -> Envelope:
    """An `enrolment.confirmed` envelope of a contact of `registration_id`."""
    enrolment_id, session_id = uuid.uuid4(), uuid.uuid4()
    starts = now() + timedelta(days=30)
    session = SessionInfo(
        session_id=session_id,
        uid=f"{session_id}@kanta.example",
        sequence=0,
        period_id=uuid.uuid4(),
        period=PeriodRef(year=starts.year, number=1),
        kind="preparation",
        title=LocalizedText(fi="Valmistelu", sv="Förberedelse"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        language="fi",
        capacity=10,
    )
    participant = Participant(
        enrolment_id=enrolment_id,
        registration_id=registration_id,
        name="Maija",
        email="maija@example.fi",
    )
    return envelope_of(
        EnrolmentConfirmed(enrolment_id=enrolment_id, participant=participant, session=session)
    )


def envelope_of(payload: EventPayload) -> Envelope:
    return make_envelope(payload, producer="test", occurred_at=now())


async def publish(amqp: Amqp, settings: WebhooksSettings, *envelopes: Envelope) -> None:
    channel = await amqp.channel(publisher_confirms=True)
    try:
        exchange = await declare_exchange(channel, settings.exchange)
        for envelope in envelopes:
            await exchange.publish(
                to_amqp_message(envelope), routing_key=envelope.event_type, mandatory=True
            )
    finally:
        await channel.close()
