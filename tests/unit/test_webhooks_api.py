"""The webhooks API on SQLite and the in-memory broker: ownership, secrets, and no SSRF.

The address check runs with a resolver the test injects, so no refusal ever opens a
connection to a private address; at delivery time an HTTP transport that fails on any use
shows that a refused attempt connects nowhere.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.webhooks.adapters.tables import Subscription
from services.webhooks.app import fanout
from services.webhooks.main import create_app
from services.webhooks.settings import WebhooksSettings
from shared.contracts.registration import RegistrationAccepted
from shared.events import make_envelope
from tests.support import bearer, eventually, running, submitted_event

ORG_A, ORG_B = "2077474-0", "0204819-8"
PUBLIC = "93.184.216.34"
DNS: dict[str, list[str]] = {}


async def resolve(host: str, port: int) -> list[str]:
    """The test's DNS: answers from `DNS`, never the network."""
    return list(DNS.get(host, []))


class NoConnections(httpx.AsyncBaseTransport):
    """A transport that records and refuses every request: nothing may be sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        raise AssertionError(f"a connection was opened to {request.url}")


@pytest.fixture
async def api(
    fast_settings: Callable[..., Any],
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, WebhooksSettings, NoConnections]]:
    settings: WebhooksSettings = fast_settings(
        WebhooksSettings, webhook_poll_interval_s=0.05, webhook_retry_delays_s=(0.05,)
    )
    transport = NoConnections()
    app = create_app(settings, resolver=resolve, transport=transport)
    async with running(app) as client:
        yield app, client, settings, transport


def org(settings: WebhooksSettings, business_id: str = ORG_A) -> dict[str, str]:
    return bearer(settings, "organisation", business_id)


async def create(
    client: httpx.AsyncClient, settings: WebhooksSettings, url: str, business_id: str = ORG_A
) -> httpx.Response:
    return await client.post(
        "/v1/webhooks",
        json={"url": url, "event_types": ["registration.accepted"]},
        headers=org(settings, business_id),
    )


@pytest.mark.parametrize(
    ("url", "answer", "reason"),
    [
        ("https://intra.example.org/hook", ["10.0.0.5"], "private"),
        ("https://loop.example.org/hook", ["127.0.0.1"], "loopback"),
        ("https://meta.example.org/hook", ["169.254.169.254"], "link-local"),
        ("https://mixed.example.org/hook", [PUBLIC, "192.168.1.9"], "private"),
        ("https://v6.example.org/hook", ["::ffff:10.1.2.3"], "private"),
        ("https://10.0.0.7/hook", [], "private"),
        ("https://[::1]/hook", [], "loopback"),
        ("http://public.example.org/hook", [PUBLIC], "https://"),
        ("https://user:pw@public.example.org/hook", [PUBLIC], "user name"),
        ("https://nowhere.example.org/hook", [], "does not resolve"),
    ],
)
async def test_a_url_that_is_not_public_https_is_refused_at_registration(
    api: Any, url: str, answer: list[str], reason: str
) -> None:
    _, client, settings, transport = api
    host = httpx.URL(url).host
    DNS[host] = answer
    response = await create(client, settings, url)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "webhook_url_refused" and problem["field"] == "url"
    assert reason in problem["detail"]
    assert transport.requests == []


async def test_the_address_is_checked_again_before_every_attempt(api: Any) -> None:
    app, client, settings, transport = api
    DNS["rebind.example.org"] = [PUBLIC]
    created = await create(client, settings, "https://rebind.example.org/hook")
    assert created.status_code == 201, created.text
    sub = created.json()
    DNS["rebind.example.org"] = ["10.9.8.7"]  # DNS changed since the registration
    snapshot = submitted_event().model_dump(exclude={"submitted_at", "state"})
    snapshot["organisation"]["business_id"] = ORG_A
    payload = RegistrationAccepted(**snapshot, state="accepted")
    runtime = app.state.runtime
    async with runtime.uow() as uow:  # what the `registrations` consumer does with the event
        await fanout.on_registration_event(
            uow,
            payload,
            make_envelope(payload, producer="test"),
            settings=settings,
            clock=runtime.clock,
            on_queued=app.state.doorbell.ring,
        )
        await uow.commit()

    async def refused() -> dict[str, Any] | None:
        path = f"/v1/webhooks/{sub['id']}/deliveries"
        items = (await client.get(path, headers=org(settings))).json()["items"]
        if not items or items[0]["attempts"] < 1:
            return None
        detail = await client.get(f"{path}/{items[0]['id']}", headers=org(settings))
        body: dict[str, Any] = detail.json()
        return body

    delivery = await eventually(refused, what="a refused attempt")
    attempt = delivery["attempt_log"][0]
    assert attempt["status_code"] is None
    assert "10.9.8.7" in attempt["error"] and "private" in attempt["error"]
    assert transport.requests == [], "a refused attempt opens no connection"


async def test_an_organisation_sees_and_changes_only_its_own_subscriptions(api: Any) -> None:
    _, client, settings, _ = api
    DNS["a.example.org"] = [PUBLIC]
    mine = (await create(client, settings, "https://a.example.org/x")).json()
    theirs = (await create(client, settings, "https://a.example.org/y", ORG_B)).json()

    listed = (await client.get("/v1/webhooks", headers=org(settings))).json()["items"]
    assert [s["id"] for s in listed] == [mine["id"]]
    assert "secret" not in listed[0]
    staff = (await client.get("/v1/webhooks", headers=bearer(settings, "staff"))).json()
    assert {mine["id"], theirs["id"]} <= {s["id"] for s in staff["items"]}

    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/rotate-secret")):
        response = await client.request(
            method,
            f"/v1/webhooks/{theirs['id']}{suffix}",
            headers=org(settings),
            json={"paused": True} if method == "PATCH" else None,
        )
        assert response.status_code == 404, (method, suffix, response.text)
        assert response.json()["code"] == "subscription_not_found"

    paused = await client.patch(
        f"/v1/webhooks/{mine['id']}", json={"paused": True}, headers=org(settings)
    )
    assert paused.json()["status"] == "paused"
    staff_write = await client.patch(
        f"/v1/webhooks/{mine['id']}", json={"paused": False}, headers=bearer(settings, "staff")
    )
    assert staff_write.status_code == 403
    assert (
        await client.delete(f"/v1/webhooks/{mine['id']}", headers=org(settings))
    ).status_code == 204
    gone = await client.get(f"/v1/webhooks/{mine['id']}", headers=org(settings))
    assert gone.status_code == 404


async def test_the_secret_is_shown_once_and_stored_encrypted(api: Any) -> None:
    app, client, settings, _ = api
    DNS["b.example.org"] = [PUBLIC]
    created = (await create(client, settings, "https://b.example.org/x")).json()
    secret = created["secret"]
    assert secret.startswith("whsec_")
    read = (await client.get(f"/v1/webhooks/{created['id']}", headers=org(settings))).json()
    assert "secret" not in read
    async with app.state.runtime.uow() as uow:
        row = await uow.subscriptions.get(subscription_id=uuid.UUID(created["id"]))
    assert isinstance(row, Subscription)
    assert secret not in row.secret_ciphertext
    assert app.state.secret_box.open(row.secret_ciphertext) == secret


async def test_unknown_event_types_are_refused(api: Any) -> None:
    _, client, settings, _ = api
    DNS["c.example.org"] = [PUBLIC]
    response = await client.post(
        "/v1/webhooks",
        json={"url": "https://c.example.org/x", "event_types": ["session.published"]},
        headers=org(settings),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_event_type"


async def test_a_paused_subscription_holds_its_deliveries_and_the_request_is_pinned(
    fast_settings: Callable[..., Any],
) -> None:
    settings: WebhooksSettings = fast_settings(WebhooksSettings, webhook_poll_interval_s=0.05)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    DNS["pinned.example.org"] = [PUBLIC]
    app = create_app(settings, resolver=resolve, transport=httpx.MockTransport(answer))
    async with running(app) as client:
        sub = (await create(client, settings, "https://pinned.example.org/in?x=1")).json()
        await client.patch(
            f"/v1/webhooks/{sub['id']}", json={"paused": True}, headers=org(settings)
        )
        snapshot = submitted_event().model_dump(exclude={"submitted_at", "state"})
        snapshot["organisation"]["business_id"] = ORG_A
        payload = RegistrationAccepted(**snapshot, state="accepted")
        runtime = app.state.runtime
        async with runtime.uow() as uow:
            queued = await fanout.on_registration_event(
                uow,
                payload,
                make_envelope(payload, producer="test"),
                settings=settings,
                clock=runtime.clock,
                on_queued=app.state.doorbell.ring,
            )
            await uow.commit()
        assert queued == 1
        await asyncio.sleep(0.3)
        assert seen == [], "a paused subscription is sent nothing"
        resumed = await client.patch(
            f"/v1/webhooks/{sub['id']}", json={"paused": False}, headers=org(settings)
        )
        assert resumed.json()["status"] == "active"
        await eventually(lambda: seen, what="the held delivery after resuming")
    [request] = seen
    # Connected to the address that was checked, named by Host and SNI.
    assert request.url.host == PUBLIC and request.url.scheme == "https"
    assert request.url.raw_path == b"/in?x=1"
    assert request.headers["host"] == "pinned.example.org"
    assert request.extensions["sni_hostname"] == "pinned.example.org"
