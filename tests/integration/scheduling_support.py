"""What the scheduling tests share: a running service, a calendar, registration events."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

import aio_pika
import httpx

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from shared.clock import Clock
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import (
    OrganisationRef,
    RegistrationAccepted,
    RegistrationEvent,
)
from shared.events import EventPayload, make_envelope
from shared.messaging.amqp import to_amqp_message
from shared.runtime import Runtime
from tests.dates import helsinki, in_days, iso, next_year, period_of_year, session_day, working_day
from tests.support import bearer, running

BUSINESS_ID = "2077474-0"
OTHER_BUSINESS_ID = "0204819-8"


@dataclass
class Service:
    """A running scheduling service: its HTTP client, runtime and staff/organisation tokens."""

    client: httpx.AsyncClient
    runtime: Runtime[Any]
    settings: SchedulingSettings

    @property
    def staff(self) -> dict[str, str]:
        return bearer(self.settings, "staff")

    def organisation(self, business_id: str = BUSINESS_ID) -> dict[str, str]:
        return bearer(self.settings, "organisation", business_id)


@contextlib.asynccontextmanager
async def scheduling_service(
    make_settings: Callable[..., Any], *, clock: Clock | None = None, **overrides: Any
) -> AsyncIterator[Service]:
    """The service with its lifespan (migrations, consumers, relay, reminder loop)."""
    settings = make_settings(SchedulingSettings, **overrides)
    app = create_app(settings, clock=clock)
    async with running(app) as client:
        runtime: Runtime[Any] = app.state.runtime
        await runtime.broker.wait_ready(10)
        yield Service(client=client, runtime=runtime, settings=settings)


YEAR = next_year()
"""The tests' calendar year: wholly ahead, so every period and session of it is future."""
PERIOD = period_of_year(YEAR, 1)
SESSION_DAY = session_day(PERIOD)
"""The training's day: a working day three weeks into period 1 (winter, +02:00)."""
MEETING_URL = "https://meet.example.fi/kanta-period-1"


def day_after(day: date, days: int = 1) -> date:
    """The first working day at least `days` after `day`."""
    return working_day(in_days(days, start=day))


def utc_z(day: date, at: str = "09:00") -> str:
    """`day` at `at` in Helsinki as events write instants: UTC with a `Z`."""
    return helsinki(day, at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def session_body(**changes: Any) -> dict[str, Any]:
    """A training on SESSION_DAY, 09:00–12:00 in Helsinki (changes override fields)."""
    body: dict[str, Any] = {
        "kind": "training",
        "title": {"fi": "Toimintamallikoulutus", "sv": "Utbildning i verksamhetsmodeller"},
        "starts_at": iso(SESSION_DAY, "09:00"),
        "ends_at": iso(SESSION_DAY, "12:00"),
        "online_url": MEETING_URL,
        "place": None,
        "language": "fi",
        "capacity": 80,
        "audience": {
            "services": ["patient_data_repository"],
            "domains": ["health_care"],
            "roles": None,
        },
        "confirm_holiday": False,
    }
    body.update(changes)
    return body


async def create_period(service: Service, **changes: Any) -> dict[str, Any]:
    response = await service.client.post(
        "/v1/periods", json={**PERIOD, **changes}, headers=service.staff
    )
    assert response.status_code == 201, response.text
    period: dict[str, Any] = response.json()
    return period


async def add_session(service: Service, period_id: str, **changes: Any) -> dict[str, Any]:
    response = await service.client.post(
        f"/v1/periods/{period_id}/sessions", json=session_body(**changes), headers=service.staff
    )
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


UNSEATED_PREPARATION = {"services": ["sw_phase_2_documents"], "domains": None, "roles": None}
"""The audience of the preparation event `publish` adds to a period that has none (R2: a
period is not published without one): a service no test registers, so it seats nobody."""


async def publish(service: Service, period_id: str) -> dict[str, Any]:
    """Publish the period; one without a preparation event first gets one that seats nobody."""
    current = await service.client.get(f"/v1/periods/{period_id}", headers=service.staff)
    assert current.status_code == 200, current.text
    if not any(s["kind"] == "preparation" for s in current.json()["sessions"]):
        await add_session(service, period_id, kind="preparation", audience=UNSEATED_PREPARATION)
    response = await service.client.post(f"/v1/periods/{period_id}/publish", headers=service.staff)
    assert response.status_code == 200, response.text
    period: dict[str, Any] = response.json()
    return period


def accepted(
    contacts: list[Contact],
    *,
    registration_id: uuid.UUID | None = None,
    service: str = "patient_data_repository",
    domain: str = "health_care",
    business_id: str = BUSINESS_ID,
    period: PeriodRef = PeriodRef(year=YEAR, number=1),
) -> RegistrationAccepted:
    """A `registration.accepted` payload for the given contacts."""
    return RegistrationAccepted.model_validate(
        {
            "registration_id": registration_id or uuid.uuid4(),
            "state": "accepted",
            "organisation": OrganisationRef.model_validate(
                {
                    "name": "Esimerkki Terveys Oy",
                    "business_id": business_id,
                    "domain": domain,
                    "sector": "private",
                }
            ),
            "service": service,
            "reason": "first_deployment",
            "period": period,
            "contacts": contacts,
        }
    )


def contact(name: str, language: str = "fi", role: str | None = None) -> Contact:
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.fi"
    return Contact.model_validate(
        {"name": name, "email": email, "language": language, "role": role, "participates": True}
    )


async def publish_event(
    connection: aio_pika.abc.AbstractRobustConnection, exchange: str, payload: EventPayload
) -> None:
    """Publish an event to the test's exchange, as the registration service's relay would."""
    envelope = make_envelope(payload, producer="registration")
    channel = await connection.channel(publisher_confirms=True)
    ex = await channel.get_exchange(exchange)
    await ex.publish(to_amqp_message(envelope), routing_key=envelope.event_type)
    await channel.close()


def body(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    """The envelope of a caught message as JSON."""
    envelope: dict[str, Any] = json.loads(message.body)
    return envelope


def with_state(payload: RegistrationEvent, state: str) -> dict[str, Any]:
    return {**payload.model_dump(mode="json"), "state": state}
