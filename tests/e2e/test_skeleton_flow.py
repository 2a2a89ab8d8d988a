"""End to end: the three services as processes, a registration over HTTP, the receipt over SMTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import Service, running_system
from tests.support import CapturingHandler, eventually, smtp_server

pytestmark = [pytest.mark.asyncio, pytest.mark.e2e]

SERVICES = ("registration", "scheduling", "notifications")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mail() -> Iterator[tuple[int, CapturingHandler]]:
    with smtp_server() as (_, port, handler):
        yield port, handler


@pytest.fixture
async def system(
    tmp_path: Path, bus_names: tuple[str, str], mail: tuple[int, CapturingHandler]
) -> AsyncIterator[dict[str, Service]]:
    smtp_port, _ = mail
    async with running_system(tmp_path, bus_names, smtp_port) as services:
        yield services


async def test_a_registration_reaches_its_contact_by_mail_and_scheduling_by_event(
    system: dict[str, Service], mail: tuple[int, CapturingHandler]
) -> None:
    _, inbox = mail
    correlation_id = f"e2e-{uuid.uuid4()}"
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(
            f"{system['registration'].url}/v1/registrations",
            json={
                "organisation": {"name": "Esimerkki Terveys Oy", "business_id": "2077474-0"},
                "contacts": [
                    {"name": "Maja Lindqvist", "email": "maja@example.fi", "language": "sv"},
                    {"name": "Maija Virtanen", "email": "maija@example.fi", "language": "fi"},
                ],
            },
            headers={"X-Correlation-ID": correlation_id},
        )
        assert response.status_code == 201, response.text
        registration_id = response.json()["id"]

        await eventually(lambda: len(inbox.messages) >= 2, timeout=20, what="two receipts")
        swedish, finnish = inbox.to("maja@example.fi"), inbox.to("maija@example.fi")
        assert len(swedish) == len(finnish) == 1
        assert swedish[0]["Subject"] == "Er anmälan har tagits emot – Esimerkki Terveys Oy"
        assert finnish[0]["Subject"] == "Ilmoittautumisenne on vastaanotettu – Esimerkki Terveys Oy"
        assert swedish[0]["Content-Language"] == "sv"
        assert registration_id in swedish[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]

        async def delivered() -> list[dict[str, object]] | None:
            found = await client.get(
                f"{system['notifications'].url}/v1/deliveries",
                params={"registration_id": registration_id},
            )
            rows = found.json()
            return rows if len(rows) == 2 and all(r["status"] == "sent" for r in rows) else None

        deliveries = await eventually(delivered, timeout=10, what="deliveries recorded as sent")
        assert {d["message_id"] for d in deliveries} == {
            swedish[0]["Message-ID"],
            finnish[0]["Message-ID"],
        }

        known = await client.get(f"{system['scheduling'].url}/v1/registrations/{registration_id}")
        assert known.status_code == 200
        assert [p["email"] for p in known.json()["participants"]] == [
            "maja@example.fi",
            "maija@example.fi",
        ]

    # One correlation id follows the request through every service's logs.
    for service in system.values():
        records = [r for r in service.log_records() if r.get("correlation_id") == correlation_id]
        assert records, f"{service.name} logged nothing with the correlation id"
    print(
        f"\nregistration {registration_id}: receipts to "
        f"{[m['To'] for m in inbox.messages]}, subjects {[m['Subject'] for m in inbox.messages]}"
    )
