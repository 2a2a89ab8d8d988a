"""The delivery API: who may read what, filters, cursor pages, resends and suppressions."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.notifications.settings import NotificationsSettings
from shared.contracts.common import Contact
from shared.contracts.registration import OrganisationRef
from shared.events import make_envelope
from tests.integration.test_notifications_delivery import (
    Amqp,
    MakeSettings,
    publish,
    service,
    settings_for,
)
from tests.support import CapturingHandler, bearer, eventually, submitted_event, unique

ORG_A, ORG_B = "2077474-0", "0204819-8"
STAFF_MAILBOX = "kayttoonotot-staff@kanta.example"
# The test client sends a staff token by default; this header takes it away.
NO_TOKEN = {"Authorization": ""}


def contacts(*languages: str) -> list[Contact]:
    return [
        Contact.model_validate(
            {"name": "N", "email": f"{unique('c')}@example.fi", "language": language}
        )
        for language in languages
    ]


async def page(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get("/v1/deliveries", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def all_sent(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = (await page(client, headers, limit=200))["items"]
        return items if len(items) == count and all(i["status"] == "sent" for i in items) else None

    found: list[dict[str, Any]] = await eventually(check, timeout=10, what=f"{count} mails sent")
    return found


async def test_organisations_see_only_their_own_deliveries_and_staff_see_all(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, _server = smtp
    settings = settings_for(make_settings, port, staff_mailbox=STAFF_MAILBOX)
    first = submitted_event(contacts=contacts("fi", "sv", "en"))
    other = submitted_event(contacts=contacts("fi")).model_copy(
        update={
            "organisation": OrganisationRef(
                name="Toinen Oy", business_id=ORG_B, domain="health_care", sector="public"
            )
        }
    )
    staff = bearer(settings, "staff")
    org_a = bearer(settings, "organisation", ORG_A)
    org_b = bearer(settings, "organisation", ORG_B)

    async with service(settings) as (_, client):
        for event in (first, other):
            await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        everything = await all_sent(client, staff, 6)  # 3 + 1 contacts, 2 staff copies
        own = (await page(client, org_a))["items"]
        theirs = (await page(client, org_b))["items"]
        mine = next(i for i in own if i["language"] == "sv")
        read_own = await client.get(f"/v1/deliveries/{mine['id']}", headers=org_a)
        read_other = await client.get(f"/v1/deliveries/{mine['id']}", headers=org_b)
        copy = next(i for i in everything if i["template"] == "registration_staff_copy")
        copy_by_org = await client.get(f"/v1/deliveries/{copy['id']}", headers=org_a)
        copy_by_staff = await client.get(f"/v1/deliveries/{copy['id']}", headers=staff)
        anonymous = await client.get("/v1/deliveries", headers=NO_TOKEN)
        anonymous_one = await client.get(f"/v1/deliveries/{mine['id']}", headers=NO_TOKEN)
        by_recipient = await page(client, staff, recipient=mine["recipient"].upper())
        by_template = await page(client, staff, template="registration_staff_copy")
        by_registration = await page(client, staff, registration_id=str(first.registration_id))
        by_status = await page(client, staff, status="failed")

    assert {i["business_id"] for i in own} == {ORG_A} and len(own) == 3
    assert [i["business_id"] for i in theirs] == [ORG_B]
    assert read_own.status_code == 200
    body = read_own.json()
    assert body["subject"].startswith("Er anmälan har tagits emot")
    assert "vi har tagit emot er anmälan" in body["text"]
    assert '<html lang="sv">' in body["html"]
    assert body["calendar"] is None
    assert read_other.status_code == 404
    assert read_other.json()["code"] == "delivery_not_found"
    assert copy_by_org.status_code == 404, "the staff copy is internal"
    assert copy_by_staff.status_code == 200
    assert copy_by_staff.json()["recipient"] == STAFF_MAILBOX
    assert copy_by_staff.json()["subject"] == "Uusi ilmoittautuminen – Esimerkki Terveys Oy"
    assert anonymous.status_code == anonymous_one.status_code == 401
    assert anonymous.json()["code"] == "unauthorized"
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert [i["id"] for i in by_recipient["items"]] == [mine["id"]]
    assert len(by_template["items"]) == 2
    assert len(by_registration["items"]) == 4
    assert by_status == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_pages_follow_the_cursor_without_gaps_or_repeats(
    backend: str,
    smtp: tuple[str, int, CapturingHandler],
    make_settings: MakeSettings,
    amqp_connection: Amqp,
    pg_databases: Any,
) -> None:
    _, port, _server = smtp
    overrides = (
        {"database_url": await pg_databases.create("notif")} if backend == "postgres" else {}
    )
    settings = settings_for(make_settings, port, **overrides)
    staff = bearer(settings, "staff")
    event = submitted_event(contacts=contacts("fi", "sv", "en", "fi", "sv"))

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))
        everything = await all_sent(client, staff, 5)
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            result = await page(client, staff, **params)
            seen += [i["id"] for i in result["items"]]
            pages += 1
            cursor = result["next_cursor"]
            if cursor is None:
                break
        bad_cursor = await client.get("/v1/deliveries", params={"cursor": "bm9wZQ"}, headers=staff)
        too_many = await client.get("/v1/deliveries", params={"limit": 201}, headers=staff)
        bad_status = await client.get("/v1/deliveries", params={"status": "lost"}, headers=staff)
        bad_id = await client.get("/v1/deliveries/not-a-uuid", headers=staff)
        missing = await client.get(f"/v1/deliveries/{uuid.uuid4()}", headers=staff)

    assert pages == 3
    assert seen == [i["id"] for i in everything]
    assert bad_cursor.status_code == 422
    assert bad_cursor.headers["content-type"] == "application/problem+json"
    assert (bad_cursor.json()["code"], bad_cursor.json()["field"]) == ("invalid_cursor", "cursor")
    assert too_many.status_code == 422 and too_many.json()["field"] == "limit"
    assert bad_status.status_code == 422 and bad_status.json()["field"] == "status"
    assert bad_id.status_code == 422
    assert missing.status_code == 404 and missing.json()["code"] == "delivery_not_found"


async def test_resends_and_suppressions_are_for_staff(
    smtp: tuple[str, int, CapturingHandler], make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    _, port, server = smtp
    settings: NotificationsSettings = settings_for(make_settings, port)
    staff = bearer(settings, "staff")
    org_a = bearer(settings, "organisation", ORG_A)
    [reachable, bouncing] = contacts("fi", "en")
    server.rcpt_replies = {str(bouncing.email): "550 5.1.1 no such user"}
    event = submitted_event(contacts=[reachable, bouncing])

    async with service(settings) as (_, client):
        await publish(amqp_connection, settings, make_envelope(event, producer="test"))

        async def settled() -> list[dict[str, Any]] | None:
            items: list[dict[str, Any]] = (await page(client, staff))["items"]
            final = {"sent", "failed"}
            return items if len(items) == 2 and {i["status"] for i in items} == final else None

        records = await eventually(settled, timeout=10, what="one sent, one bounced")
        sent = next(r for r in records if r["status"] == "sent")
        failed = next(r for r in records if r["status"] == "failed")
        address = str(bouncing.email)

        by_org = await client.post(f"/v1/deliveries/{sent['id']}/resend", headers=org_a)
        anonymous = await client.post(f"/v1/deliveries/{sent['id']}/resend", headers=NO_TOKEN)
        resent = await client.post(f"/v1/deliveries/{sent['id']}/resend", headers=staff)
        copy = resent.json()
        await eventually(
            lambda: len(server.to(str(reachable.email))) == 2, timeout=10, what="the copy"
        )
        missing = await client.post(f"/v1/deliveries/{uuid.uuid4()}/resend", headers=staff)

        suppressed = await client.get(f"/v1/suppressions/{address.upper()}", headers=staff)
        suppressed_org = await client.get(f"/v1/suppressions/{address}", headers=org_a)
        suppressed_anonymous = await client.get(f"/v1/suppressions/{address}", headers=NO_TOKEN)
        blocked = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=staff)
        lift_org = await client.delete(f"/v1/suppressions/{address}", headers=org_a)
        lifted = await client.delete(f"/v1/suppressions/{address}", headers=staff)
        gone = await client.get(f"/v1/suppressions/{address}", headers=staff)
        lift_again = await client.delete(f"/v1/suppressions/{address}", headers=staff)
        server.rcpt_replies = {}
        retried = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=staff)
        await eventually(lambda: server.to(address), timeout=10, what="the lifted address mailed")

    assert by_org.status_code == 403 and by_org.json()["code"] == "staff_only"
    assert anonymous.status_code == 401
    assert resent.status_code == 201, resent.text
    assert copy["resend_of"] == sent["id"] and copy["id"] != sent["id"]
    assert copy["message_id"] != sent["message_id"]
    assert (copy["status"], copy["attempts"]) == ("queued", 0)
    assert {m["Message-ID"] for m in server.to(str(reachable.email))} == {
        sent["message_id"],
        copy["message_id"],
    }
    assert missing.status_code == 404
    assert suppressed.status_code == 200
    assert suppressed.json()["email"] == address
    assert suppressed.json()["reason"] == "550 5.1.1 no such user"
    assert suppressed_org.status_code == 403 and suppressed_org.json()["code"] == "staff_only"
    assert suppressed_anonymous.status_code == 401
    assert blocked.status_code == 409
    assert (blocked.json()["code"], blocked.json()["field"]) == ("address_suppressed", "recipient")
    assert lift_org.status_code == 403
    assert lifted.status_code == 204
    assert gone.status_code == 404 and gone.json()["code"] == "suppression_not_found"
    assert lift_again.status_code == 404
    assert retried.status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/v1/suppressions/a%00@example.fi", {}),
        ("DELETE", "/v1/suppressions/a%00@example.fi", {}),
        ("GET", "/v1/suppressions/a%0Ab@example.fi", {}),
        ("GET", "/v1/deliveries", {"recipient": "a\x00b@example.fi"}),
        ("GET", "/v1/deliveries", {"template": "enrolment\x00confirmed"}),
        ("GET", "/v1/deliveries", {"template": "a\r\nb"}),
    ],
)
async def test_text_parameters_with_control_characters_are_a_422_not_a_503(
    method: str,
    path: str,
    params: dict[str, str],
    make_settings: MakeSettings,
    pg_databases: Any,
) -> None:
    """#15.2 on PostgreSQL, which refuses a NUL in text: the parameter is refused first."""
    settings = make_settings(
        NotificationsSettings,
        database_url=await pg_databases.create("notif"),
        staff_mailbox="",
    )
    async with service(settings) as (_, client):
        response = await client.request(method, path, params=params)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/suppressions/a%E2%80%AEb@example.fi", {}, "email"),
        ("/v1/suppressions/a%E2%80%A8b@example.fi", {}, "email"),
        ("/v1/deliveries", {"recipient": "a\u202eb@example.fi"}, "recipient"),
        ("/v1/deliveries", {"template": "a\u2028b"}, "template"),
    ],
)
async def test_text_parameters_are_safe_lines_and_the_422_names_them(
    path: str, params: dict[str, str], field: str, make_settings: MakeSettings
) -> None:
    """#15.2: the routes' own text type refuses what the request guard lets through."""
    settings = make_settings(NotificationsSettings, staff_mailbox="")
    async with service(settings) as (_, client):
        response = await client.get(path, params=params)

    assert response.status_code == 422, response.text
    assert field in response.text
