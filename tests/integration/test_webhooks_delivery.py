"""Webhooks end to end inside the webhooks service: real RabbitMQ, a real receiver on loopback.

Each test publishes real envelopes to its own exchange and reads the outcome where an
integrator would: the requests at its endpoint (uvicorn on 127.0.0.1, the address check
switched off by the test's own settings) and the delivery log over the API.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import standardwebhooks

from tests.integration.webhooks_support import (
    ORG_A,
    ORG_B,
    Amqp,
    accepted,
    as_org,
    enrolment,
    loopback_settings,
    publish,
    receiver,
    service,
    subscribe,
    verify_with_hmac,
)
from tests.support import bearer, catch_events, eventually

MakeSettings = Callable[..., Any]


async def test_an_accepted_registration_reaches_its_own_organisation_signed_once(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    settings = loopback_settings(make_settings)
    async with receiver() as rec, service(settings) as (_, client):
        mine = await subscribe(
            client,
            settings,
            rec.url("/a"),
            event_types=["registration.accepted", "enrolment.confirmed"],
        )
        theirs = await subscribe(
            client,
            settings,
            rec.url("/b"),
            business_id=ORG_B,
            event_types=["registration.accepted", "enrolment.confirmed"],
        )
        assert mine["secret"].startswith("whsec_") and len(mine["secret"]) >= 6 + 32
        registration_id = uuid.uuid4()
        event = accepted(ORG_A, registration_id)
        await publish(amqp_connection, settings, event)

        await eventually(lambda: rec.to("/a"), what="a delivery to organisation A")
        [got] = rec.to("/a")
        # Two independent verifiers accept it: the standardwebhooks package and the stdlib.
        verified = standardwebhooks.Webhook(mine["secret"]).verify(got.body, got.headers)
        assert verify_with_hmac(mine["secret"], got.headers, got.body)
        assert not verify_with_hmac(theirs["secret"], got.headers, got.body)
        assert got.headers["webhook-id"] == str(event.event_id)
        assert verified["type"] == "registration.accepted" and verified["version"] == 1
        assert verified["data"]["registration_id"] == str(registration_id)
        assert verified["data"]["links"]["self"] == (
            f"{settings.registration_api_url}/v1/registrations/{registration_id}"
        )

        # An enrolment names only its registration: the read model attributes it to A.
        confirmed = enrolment(registration_id)
        await publish(amqp_connection, settings, confirmed)
        await eventually(lambda: len(rec.to("/a")) == 2, what="the enrolment's delivery")
        body = json.loads(rec.to("/a")[1].body)
        assert body["type"] == "enrolment.confirmed"
        assert rec.to("/a")[1].headers["webhook-id"] == str(confirmed.event_id)

        # The delivery log, readable by its organisation, not by the other.
        path = f"/v1/webhooks/{mine['id']}/deliveries"
        page = (await client.get(path, headers=as_org(settings, ORG_A))).json()
        first = next(d for d in page["items"] if d["event_id"] == str(event.event_id))
        assert first["status"] == "succeeded" and first["attempts"] == 1
        detail = (await client.get(f"{path}/{first['id']}", headers=as_org(settings, ORG_A))).json()
        [attempt] = detail["attempt_log"]
        assert attempt["status_code"] == 200 and attempt["duration_ms"] >= 0
        assert attempt["request_headers"]["webhook-id"] == str(event.event_id)
        assert attempt["response_excerpt"] == "answer 200"
        other = await client.get(path, headers=as_org(settings, ORG_B))
        assert other.status_code == 404
        staff = await client.get(path, headers=bearer(settings, "staff"))
        assert staff.status_code == 200

        # Redelivery from the API: a new round with the same webhook-id and body.
        again = await client.post(
            f"{path}/{first['id']}/redeliver", headers=as_org(settings, ORG_A)
        )
        assert again.status_code == 202, again.text
        assert again.json()["round"] == 1
        await eventually(lambda: len(rec.to("/a")) == 3, what="the redelivery")
        assert rec.to("/a")[2].headers["webhook-id"] == str(event.event_id)
        assert rec.to("/a")[2].body == got.body

    # Another organisation's events never reached B's endpoint.
    assert rec.to("/b") == []


async def test_an_enrolment_before_its_registration_waits_for_the_owner(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    settings = loopback_settings(make_settings)
    async with receiver() as rec, service(settings) as (_, client):
        await subscribe(client, settings, rec.url("/a"), event_types=["enrolment.confirmed"])
        registration_id = uuid.uuid4()
        early = enrolment(registration_id)
        await publish(amqp_connection, settings, early)
        await publish(amqp_connection, settings, accepted(ORG_A, registration_id))
        await eventually(lambda: rec.to("/a"), what="the parked enrolment's delivery")
        assert [r.headers["webhook-id"] for r in rec.to("/a")] == [str(early.event_id)]


async def test_a_receiver_failing_twice_gets_three_attempts_with_one_webhook_id(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    settings = loopback_settings(make_settings)
    async with receiver() as rec, service(settings) as (_, client):
        rec.script["/flaky"] = [(500, {}), (500, {})]
        sub = await subscribe(client, settings, rec.url("/flaky"))
        event = accepted()
        await publish(amqp_connection, settings, event)
        await eventually(lambda: len(rec.to("/flaky")) == 3, what="three attempts")
        ids = {r.headers["webhook-id"] for r in rec.to("/flaky")}
        assert ids == {str(event.event_id)}
        for r in rec.to("/flaky"):
            assert verify_with_hmac(sub["secret"], r.headers, r.body)

        async def succeeded() -> dict[str, Any] | None:
            path = f"/v1/webhooks/{sub['id']}/deliveries"
            [d] = (await client.get(path, headers=as_org(settings, ORG_A))).json()["items"]
            return d if d["status"] == "succeeded" else None

        delivery = await eventually(succeeded, what="the delivery recorded as succeeded")
        assert delivery["attempts"] == 3
        detail = await client.get(
            f"/v1/webhooks/{sub['id']}/deliveries/{delivery['id']}",
            headers=as_org(settings, ORG_A),
        )
        outcomes = [a["status_code"] for a in detail.json()["attempt_log"]]
        assert outcomes == [500, 500, 200]


async def test_410_gone_disables_the_subscription_and_says_so(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    settings = loopback_settings(make_settings)
    async with (
        receiver() as rec,
        service(settings) as (_, client),
        catch_events(amqp_connection, settings.exchange, "webhook.#") as caught,
    ):
        rec.script["/gone"] = [(410, {})]
        sub = await subscribe(client, settings, rec.url("/gone"))
        await publish(amqp_connection, settings, accepted())
        await eventually(lambda: rec.to("/gone"), what="the first attempt")

        async def disabled() -> dict[str, Any] | None:
            r = await client.get(f"/v1/webhooks/{sub['id']}", headers=as_org(settings, ORG_A))
            body: dict[str, Any] = r.json()
            return body if body["status"] == "disabled" else None

        state = await eventually(disabled, what="the subscription disabled")
        assert "410" in state["status_reason"]
        message = await caught.next()
        event = json.loads(message.body)
        assert event["event_type"] == "webhook.subscription_disabled"
        assert event["payload"]["cause"] == "gone"
        assert event["payload"]["subscription_id"] == sub["id"]

        # Nothing more is sent to a disabled subscription.
        await publish(amqp_connection, settings, accepted())
        await asyncio.sleep(1.0)  # five schedule steps, had it been queued
        assert len(rec.to("/gone")) == 1


async def test_429_with_retry_after_waits_that_long(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    settings = loopback_settings(make_settings)
    async with receiver() as rec, service(settings) as (_, client):
        rec.script["/busy"] = [(429, {"Retry-After": "2"})]
        await subscribe(client, settings, rec.url("/busy"))
        await publish(amqp_connection, settings, accepted())
        await eventually(lambda: len(rec.to("/busy")) == 2, what="the attempt after the pause")
        first, second = rec.to("/busy")
        # The schedule says 0.2 s; Retry-After says 2 s, and wins.
        assert second.at - first.at >= 1.9
        assert first.headers["webhook-id"] == second.headers["webhook-id"]


async def test_a_rotated_secret_signs_beside_the_old_one_until_the_grace_ends(
    make_settings: MakeSettings, amqp_connection: Amqp
) -> None:
    settings = loopback_settings(make_settings, webhook_rotation_grace_s=2.0)
    async with receiver() as rec, service(settings) as (_, client):
        sub = await subscribe(client, settings, rec.url("/rot"))
        old = sub["secret"]
        rotated = await client.post(
            f"/v1/webhooks/{sub['id']}/rotate-secret", headers=as_org(settings, ORG_A)
        )
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old and new.startswith("whsec_")

        await publish(amqp_connection, settings, accepted())
        await eventually(lambda: rec.to("/rot"), what="a delivery during the grace period")
        during = rec.to("/rot")[0]
        assert len(during.headers["webhook-signature"].split()) == 2
        assert verify_with_hmac(old, during.headers, during.body)
        assert verify_with_hmac(new, during.headers, during.body)
        standardwebhooks.Webhook(old).verify(during.body, during.headers)
        standardwebhooks.Webhook(new).verify(during.body, during.headers)

        await asyncio.sleep(2.2)  # the grace period ends
        await publish(amqp_connection, settings, accepted())
        await eventually(lambda: len(rec.to("/rot")) == 2, what="a delivery after the grace")
        after = rec.to("/rot")[1]
        assert len(after.headers["webhook-signature"].split()) == 1
        assert verify_with_hmac(new, after.headers, after.body)
        assert not verify_with_hmac(old, after.headers, after.body)
        with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
            standardwebhooks.Webhook(old).verify(after.body, after.headers)
