"""The delivery read API: one record, a registration's records, problem details."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from services.notifications import handlers
from services.notifications.main import create_app
from services.notifications.settings import NotificationsSettings
from shared.events import make_envelope
from shared.contracts.common import Contact
from shared.contracts.registration import RegistrationSubmitted
from shared.runtime import Runtime
from tests.support import CapturingHandler, eventually, running, unique


async def test_delivery_records_are_listed_per_registration_and_read_one_by_one(
    smtp: tuple[str, int, CapturingHandler], make_settings: Callable[..., Any]
) -> None:
    _, port, server = smtp
    settings = make_settings(
        NotificationsSettings,
        smtp_port=port,
        mail_poll_interval_s=0.1,
    )
    emails = [f"{unique(name)}@example.fi" for name in ("a", "b", "c")]
    payload = RegistrationSubmitted(
        registration_id=uuid.uuid4(),
        organisation_name="Esimerkki Terveys Oy",
        business_id="2077474-0",
        contacts=[
            Contact.model_validate({"name": "N", "email": email, "language": language})
            for email, language in zip(emails, ("fi", "sv", "en"), strict=True)
        ],
        submitted_at=datetime.now(UTC),
    )
    envelope = make_envelope(payload, producer="test")
    app = create_app(settings)
    async with running(app) as client:
        runtime: Runtime = app.state.runtime
        uow = runtime.uow()
        async with uow:
            await handlers.queue_registration_receipts(
                uow, payload, envelope, message_id_domain="kanta.example", on_queued=lambda: None
            )
            await uow.commit()
        await eventually(lambda: len(server.messages) == 3, timeout=8, what="three receipts")
        params = {"registration_id": str(payload.registration_id)}

        async def all_sent() -> Any:
            records = (await client.get("/v1/deliveries", params=params)).json()
            return records if all(r["status"] == "sent" for r in records) else None

        listed = await eventually(all_sent, timeout=8, what="records sent")
        first_two = await client.get("/v1/deliveries", params={**params, "limit": 2})
        one = await client.get(f"/v1/deliveries/{listed[1]['id']}")
        none = await client.get("/v1/deliveries", params={"registration_id": str(uuid.uuid4())})

    assert sorted(r["recipient"] for r in listed) == sorted(emails)
    assert {r["language"] for r in listed} == {"fi", "sv", "en"}
    assert first_two.status_code == 200 and len(first_two.json()) == 2
    assert one.status_code == 200
    assert one.json() == listed[1]
    assert set(one.json()) >= {
        "status",
        "attempts",
        "last_reply",
        "recipient",
        "template",
        "language",
        "subject",
        "message_id",
        "created_at",
        "updated_at",
        "next_attempt_at",
        "sent_at",
    }
    assert "body_html" not in one.json() and "claim_token" not in one.json()
    assert none.json() == []


async def test_unknown_delivery_and_bad_queries_are_problem_details(
    make_settings: Callable[..., Any],
) -> None:
    settings = make_settings(NotificationsSettings)
    missing = uuid.uuid4()
    async with running(create_app(settings)) as client:
        not_found = await client.get(f"/v1/deliveries/{missing}")
        too_many = await client.get(
            "/v1/deliveries", params={"registration_id": str(uuid.uuid4()), "limit": 101}
        )
        no_filter = await client.get("/v1/deliveries")
        not_an_id = await client.get("/v1/deliveries/not-a-uuid")

    assert not_found.status_code == 404
    assert not_found.headers["content-type"] == "application/problem+json"
    problem = not_found.json()
    assert problem["code"] == "delivery_not_found"
    assert problem["status"] == 404
    assert str(missing) in problem["detail"]
    assert too_many.status_code == 422 and too_many.json()["field"] == "limit"
    assert no_filter.status_code == 422 and no_filter.json()["field"] == "registration_id"
    assert not_an_id.status_code == 422
