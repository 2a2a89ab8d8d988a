"""End to end: the three services as processes, the whole deployment-period flow over HTTP.

Staff publish a period with its sessions; an organisation registers; its contacts get a
receipt; staff accept it; scheduling seats the participants; each gets an invitation with a
calendar file. One correlation id follows the registration through every service's logs.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest

from services.registration.app.samples import example_form
from services.registration.settings import RegistrationSettings
from tests.dates import in_days, iso, period_body, session_day
from tests.processes import Service, running_system
from tests.support import CapturingHandler, bearer, eventually, smtp_server

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]

BUSINESS_ID = "2077474-0"
PERIOD = period_body()


def session(kind: str, title: str, day: date) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": {"fi": title, "sv": f"{title} (sv)"},
        "starts_at": iso(day, "09:00"),
        "ends_at": iso(day, "12:00"),
        "online_url": "https://meet.example.fi/kanta-preparation",
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


FORM = example_form(
    BUSINESS_ID,
    name="Esimerkki Terveys Oy",
    period={"year": PERIOD["year"], "number": PERIOD["number"]},
    planned_production_start=in_days(150).isoformat(),
    contacts=[
        {
            "name": "Maja Lindqvist",
            "email": "maja@example.fi",
            "role": "technical",
            "language": "sv",
            "participates": True,
        },
        {
            "name": "Maija Virtanen",
            "email": "maija@example.fi",
            "role": "administrative",
            "language": "fi",
            "participates": True,
        },
    ],
)


@pytest.fixture
def mail() -> Iterator[tuple[int, CapturingHandler]]:
    with smtp_server() as (_, port, handler):
        yield port, handler


@pytest.fixture
async def system(
    tmp_path: Path, bus_names: tuple[str, str], mail: tuple[int, CapturingHandler]
) -> AsyncIterator[dict[str, Service]]:
    smtp_port, _ = mail
    async with running_system(
        tmp_path, bus_names, smtp_port, extra_env={"STAFF_MAILBOX": ""}
    ) as services:
        yield services


def calendar_of(message: Any) -> icalendar.Calendar | None:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return None


async def test_a_period_a_registration_its_acceptance_and_the_invitations(
    system: dict[str, Service], mail: tuple[int, CapturingHandler]
) -> None:
    _, inbox = mail
    settings = RegistrationSettings(environment="test")
    staff = bearer(settings, "staff")
    organisation = bearer(settings, "organisation", BUSINESS_ID)
    registration_url = system["registration"].url
    scheduling_url = system["scheduling"].url
    correlation_id = f"e2e-{uuid.uuid4()}"
    async with httpx.AsyncClient(timeout=10) as client:
        # Staff publish the period with a preparation event and a training.
        period = await client.post(f"{scheduling_url}/v1/periods", json=PERIOD, headers=staff)
        assert period.status_code == 201, period.text
        period_id = period.json()["id"]
        for kind, title, day in (
            ("preparation", "Valmistelutilaisuus", session_day(PERIOD, offset_days=8)),
            ("training", "Toimintamallikoulutus", session_day(PERIOD, offset_days=22)),
        ):
            added = await client.post(
                f"{scheduling_url}/v1/periods/{period_id}/sessions",
                json=session(kind, title, day),
                headers=staff,
            )
            assert added.status_code == 201, added.text
        published = await client.post(
            f"{scheduling_url}/v1/periods/{period_id}/publish", headers=staff
        )
        assert published.status_code == 200, published.text

        # The registration service learns the period from the event, then takes the form.
        async def registered() -> httpx.Response | None:
            response = await client.post(
                f"{registration_url}/v1/registrations",
                json=FORM,
                headers={
                    **organisation,
                    "X-Correlation-ID": correlation_id,
                    "Idempotency-Key": correlation_id,
                },
            )
            if response.status_code == 422 and response.json()["code"] == "period_not_open":
                return None
            return response

        response = await eventually(registered, timeout=20, interval=0.3, what="period open")
        assert response.status_code == 201, response.text
        registration_id = response.json()["id"]

        await eventually(lambda: len(inbox.messages) >= 2, timeout=20, what="two receipts")
        swedish, finnish = inbox.to("maja@example.fi"), inbox.to("maija@example.fi")
        assert len(swedish) == len(finnish) == 1
        assert swedish[0]["Content-Language"] == "sv"
        assert finnish[0]["Content-Language"] == "fi"
        assert "Esimerkki Terveys Oy" in str(swedish[0]["Subject"])

        accepted = await client.post(
            f"{registration_url}/v1/registrations/{registration_id}/accept", headers=staff
        )
        assert accepted.status_code == 200, accepted.text

        # Acceptance mail plus an invitation per session and participant: 2 + 2×2.
        await eventually(lambda: len(inbox.messages) >= 8, timeout=30, what="invitations")
        invitations = [m for m in inbox.messages if calendar_of(m) is not None]
        assert len(invitations) == 4
        for invitation in invitations:
            calendar = calendar_of(invitation)
            assert calendar is not None
            assert str(calendar["METHOD"]) == "REQUEST"
            (event,) = calendar.walk("VEVENT")
            assert str(event["UID"]) and int(str(event["SEQUENCE"])) >= 0

        async def delivered() -> list[dict[str, Any]] | None:
            found = await client.get(
                f"{system['notifications'].url}/v1/deliveries",
                params={"registration_id": registration_id},
                headers=organisation,
            )
            rows: list[dict[str, Any]] = found.json()["items"]
            return rows if len(rows) == 8 and all(r["status"] == "sent" for r in rows) else None

        deliveries = await eventually(delivered, timeout=15, what="deliveries recorded as sent")
        assert {d["message_id"] for d in deliveries} == {m["Message-ID"] for m in inbox.messages}

        known = await client.get(
            f"{scheduling_url}/v1/registrations/{registration_id}", headers=organisation
        )
        assert known.status_code == 200, known.text
        other = bearer(settings, "organisation", "0204819-8")
        hidden = await client.get(
            f"{scheduling_url}/v1/registrations/{registration_id}", headers=other
        )
        assert hidden.status_code == 404

    # One correlation id follows the registration through every service's logs.
    for service in system.values():
        records = [r for r in service.log_records() if r.get("correlation_id") == correlation_id]
        assert records, f"{service.name} logged nothing with the correlation id"
    print(
        f"\nregistration {registration_id}: {len(inbox.messages)} mails, subjects "
        f"{sorted(str(m['Subject']) for m in inbox.messages)}"
    )
