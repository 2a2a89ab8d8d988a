"""What the registration service's API tests share: a running app, tokens, forms, periods."""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.registration.adapters.tables import Registration, RegistrationHistory
from services.registration.adapters.uow import RegistrationUnitOfWork
from services.registration.app import periods
from services.registration.domain.rules import add_months
from services.registration.main import create_app
from services.registration.settings import RegistrationSettings
from shared.clock import Clock, SystemClock
from shared.contracts.scheduling import PeriodPublished, PeriodUpdated
from shared.events import Envelope, make_envelope
from shared.runtime import Runtime
from tests import dates
from tests.support import bearer, running

ORG_A = "2077474-0"
ORG_B = "0204819-8"
OIDS = {ORG_A: "1.2.246.10.20774740.10.0", ORG_B: "1.2.246.10.2048198.10.0"}


def today() -> date:
    return dates.today()


YEAR = add_months(today(), 1).year
"""The year of the periods the tests publish: the year period 1 starts in (R1)."""


def planned(months: int = 5) -> str:
    """A production start `months` from today (5: no R6 warning with a certified system)."""
    return add_months(today(), months).isoformat()


def form(business_id: str = ORG_A, *, number: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid health care form for period YEAR/number, with `overrides` on top."""
    body: dict[str, Any] = {
        "organisation": {
            "name": f"Organisaatio {business_id}",
            "business_id": business_id,
            "oid": OIDS[business_id],
            "sector": "private",
            "domain": "health_care",
        },
        "service": "patient_data_repository",
        "reason": "first_deployment",
        "system": {
            "product": "Potilas Pro",
            "vendor": "Toimittaja Oy",
            "version": "5.2",
            "certified": True,
            "profile": None,
        },
        "vendor_handles_support": False,
        "period": {"year": YEAR, "number": number},
        "planned_production_start": planned(),
        "customership": {
            "existing_customer": False,
            "commitment_signed_on": None,
            "service_application_on": None,
            "service_description_accepted_on": None,
            "details_submitted_on": None,
        },
        "contacts": [
            {
                "name": "Tekninen Yhteyshenkilö",
                "email": "maija@example.fi",
                "role": "technical",
                "language": "sv",
                "participates": True,
            }
        ],
    }
    body = copy.deepcopy(body)
    body.update(overrides)
    return body


def checklist_done() -> dict[str, Any]:
    """R8: a first deployment's customership with every checklist step done (so it deploys)."""
    return {
        "existing_customer": False,
        "commitment_signed_on": dates.in_days(-60).isoformat(),
        "service_application_on": dates.in_days(-59).isoformat(),
        "service_description_accepted_on": dates.in_days(-58).isoformat(),
        "details_submitted_on": dates.in_days(-57).isoformat(),
    }


def social_welfare_form(business_id: str = ORG_A, **overrides: Any) -> dict[str, Any]:
    body = form(business_id, **overrides)
    body["organisation"]["domain"] = "social_welfare"
    body["organisation"]["sector"] = "public"
    body["service"] = overrides.get("service", "social_welfare_client_data_repository")
    return body


async def publish_period(
    app: FastAPI,
    *,
    number: int = 1,
    year: int = YEAR,
    opens: date | None = None,
    closes: date | None = None,
    ends: date | None = None,
    updated: bool = False,
) -> None:
    """Put a period into the read model through the consumer's own handler."""
    runtime: Runtime[RegistrationUnitOfWork] = app.state.runtime
    info: dict[str, Any] = {
        "period_id": uuid.uuid5(uuid.NAMESPACE_URL, f"period/{year}/{number}"),
        "year": year,
        "number": number,
        "starts_on": add_months(today(), 1),
        "ends_on": ends or add_months(today(), 7),
        "registration_opens_on": opens or add_months(today(), -1),
        "registration_closes_on": closes or add_months(today(), 1),
    }
    payload = PeriodUpdated(**info) if updated else PeriodPublished(**info)
    envelope = make_envelope(payload, producer="scheduling", occurred_at=SystemClock().now())
    async with runtime.uow() as uow:
        await periods.record_period(uow, payload, envelope)
        await uow.commit()


@dataclass
class Env:
    """A running registration service and the headers of its callers."""

    client: httpx.AsyncClient
    app: FastAPI
    settings: RegistrationSettings
    org_a: dict[str, str]
    org_b: dict[str, str]
    staff: dict[str, str]
    clock: Clock

    @property
    def runtime(self) -> Runtime[RegistrationUnitOfWork]:
        runtime: Runtime[RegistrationUnitOfWork] = self.app.state.runtime
        return runtime

    async def submit(self, body: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/registrations", json=body or form(), headers=self.org_a, **kwargs
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def accepted(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A registration submitted by ORG_A and accepted by staff."""
        created = await self.submit(body)
        response = await self.client.post(
            f"/v1/registrations/{created['id']}/accept", headers=self.staff
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def planned_test(self, registration_id: str) -> dict[str, Any]:
        """A deployment test of the registration, planned for today."""
        response = await self.client.post(
            f"/v1/registrations/{registration_id}/deployment-tests",
            json={"planned_on": self.clock.today().isoformat()},
            headers=self.org_a,
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def events(self, event_type: str) -> list[Envelope]:
        """The events of this type in the outbox, oldest first."""
        outbox = self.runtime.tables.outbox
        async with self.runtime.engine.connect() as conn:
            rows = await conn.execute(
                select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
            )
            return [Envelope.model_validate_json(row[0]) for row in rows]

    async def counts(self) -> tuple[int, int, int]:
        """(registrations, history rows, outbox events) stored."""
        async with self.runtime.engine.connect() as conn:
            registrations = (
                await conn.execute(select(func.count()).select_from(Registration))
            ).scalar_one()
            history = (
                await conn.execute(select(func.count()).select_from(RegistrationHistory))
            ).scalar_one()
            events = (
                await conn.execute(select(func.count()).select_from(self.runtime.tables.outbox))
            ).scalar_one()
        return registrations, history, events


@contextlib.asynccontextmanager
async def registration_env(
    settings: RegistrationSettings, *, with_period: bool = True, clock: Clock | None = None
) -> AsyncIterator[Env]:
    """The app running with its lifespan, period YEAR/1 open unless told otherwise.

    `clock` is the service's clock (a SettableClock where a test moves time).
    """
    clock = clock or SystemClock()
    app = create_app(settings, clock=clock)
    async with running(app) as client:
        env = Env(
            client=client,
            app=app,
            settings=settings,
            org_a=bearer(settings, "organisation", ORG_A, client_id="org-a"),
            org_b=bearer(settings, "organisation", ORG_B, client_id="org-b"),
            staff=bearer(settings, "staff", client_id="staff-1"),
            clock=clock,
        )
        if with_period:
            await publish_period(app)
        yield env
