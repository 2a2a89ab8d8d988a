"""Review and lifecycle over HTTP: every state change is stored, recorded and published."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aio_pika
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.registration.domain.rules import add_months
from services.registration.settings import RegistrationSettings
from tests.dates import in_days
from tests.integration.registration_support import (
    YEAR,
    Env,
    checklist_done,
    form,
    publish_period,
    registration_env,
    today,
)
from tests.support import catch_events

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    async with registration_env(make_settings(RegistrationSettings)) as env:
        yield env


async def _post(env: Env, rid: str, action: str, headers: dict[str, str], **body: Any) -> Any:
    return await env.client.post(
        f"/v1/registrations/{rid}/{action}", headers=headers, json=body or None
    )


async def test_the_whole_lifecycle_is_published_and_kept_in_history(
    env: Env, amqp_connection: aio_pika.abc.AbstractRobustConnection
) -> None:
    await publish_period(env.app, number=2)
    async with catch_events(amqp_connection, env.settings.exchange, "registration.*") as catcher:
        # R8: a first deployment is deployed only with its customership checklist complete.
        created = await env.submit(form(customership=checklist_done()))
        rid = created["id"]
        returned = await _post(env, rid, "return", env.staff, changes_requested="Add a reader.")
        assert (returned.json()["state"], returned.json()["state_note"]) == (
            "returned",
            "Add a reader.",
        )
        contacts = [
            *form()["contacts"],
            {
                "name": "Lukija",
                "email": "lukija@example.fi",
                "role": "reader",
                "language": "en",
                "participates": False,
            },
        ]
        edited = await env.client.patch(
            f"/v1/registrations/{rid}", json={"contacts": contacts}, headers=env.org_a
        )
        assert edited.status_code == 200, edited.text
        assert (edited.json()["state"], edited.json()["state_note"]) == ("submitted", None)
        assert (await _post(env, rid, "accept", env.staff)).json()["state"] == "accepted"
        # An edit of an accepted registration sends it back to review.
        later = add_months(today(), 6).isoformat()
        back = await env.client.patch(
            f"/v1/registrations/{rid}",
            json={"planned_production_start": later},
            headers=env.org_a,
        )
        assert back.json()["state"] == "submitted"
        assert (await _post(env, rid, "accept", env.staff)).status_code == 200
        moved = await _post(env, rid, "move", env.staff, period={"year": YEAR, "number": 2})
        assert moved.status_code == 200, moved.text
        assert (moved.json()["state"], moved.json()["period"]) == (
            "moved",
            {"year": YEAR, "number": 2},
        )
        deployed = await _post(env, rid, "deploy", env.staff, deployed_on=today().isoformat())
        assert (deployed.json()["state"], deployed.json()["deployed_on"]) == (
            "deployed",
            today().isoformat(),
        )
        assert (await _post(env, rid, "complete", env.staff)).json()["state"] == "completed"

        messages = [await catcher.next() for _ in range(9)]
    types = [m.type for m in messages]
    assert types == [
        "registration.submitted",
        "registration.returned",
        "registration.updated",
        "registration.accepted",
        "registration.updated",
        "registration.accepted",
        "registration.moved",
        "registration.deployed",
        "registration.completed",
    ]
    payloads = [json.loads(m.body)["payload"] for m in messages]
    assert all(p["registration_id"] == rid for p in payloads)
    submitted = payloads[0]
    assert submitted["organisation"] == {
        "name": "Organisaatio 2077474-0",
        "business_id": "2077474-0",
        "domain": "health_care",
        "sector": "private",
    }
    assert (submitted["service"], submitted["reason"], submitted["period"]) == (
        "patient_data_repository",
        "first_deployment",
        {"year": YEAR, "number": 1},
    )
    assert (submitted["registration_required"], submitted["warnings"]) == (True, [])
    assert submitted["contacts"][0]["language"] == "sv"
    assert submitted["contacts"][0]["participates"] is True
    assert [p["state"] for p in payloads] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
        "submitted",
        "accepted",
        "moved",
        "deployed",
        "completed",
    ]
    assert payloads[1]["note"] == "Add a reader."
    assert (payloads[2]["previous_state"], payloads[2]["changed"]) == ("returned", ["contacts"])
    assert payloads[2]["contacts"][1] == {
        "name": "Lukija",
        "email": "lukija@example.fi",
        "language": "en",
        "role": "reader",
        "participates": False,
    }
    assert payloads[6]["from_period"] == {"year": YEAR, "number": 1}
    assert payloads[6]["period"] == {"year": YEAR, "number": 2}
    assert payloads[7]["deployed_on"] == today().isoformat()
    # Every change raises the revision by one, and every event carries it (issue 14.1).
    assert [p["revision"] for p in payloads] == list(range(1, 10))
    final = await env.client.get(f"/v1/registrations/{rid}", headers=env.org_a)
    assert final.json()["revision"] == 9

    history = await env.client.get(f"/v1/registrations/{rid}/history", headers=env.org_a)
    assert history.status_code == 200
    entries = history.json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in entries] == [
        ("submit", None, "submitted"),
        ("return", "submitted", "returned"),
        ("edit", "returned", "submitted"),
        ("accept", "submitted", "accepted"),
        ("edit", "accepted", "submitted"),
        ("accept", "submitted", "accepted"),
        ("move", "accepted", "moved"),
        ("deploy", "moved", "deployed"),
        ("complete", "deployed", "completed"),
    ]
    assert entries[0]["actor"] == {"client_id": "org-a", "role": "organisation", "name": None}
    assert entries[1]["actor"] == {"client_id": None, "role": "staff", "name": "Kela"}
    assert entries[1]["note"] == "Add a reader."
    assert entries[4]["changes"]["planned_production_start"]["new"] == later
    assert entries[6]["changes"]["period"] == {
        "old": {"year": YEAR, "number": 1},
        "new": {"year": YEAR, "number": 2},
    }
    staff_view = (
        await env.client.get(f"/v1/registrations/{rid}/history", headers=env.staff)
    ).json()
    assert [e["at"] for e in staff_view] == [e["at"] for e in entries]
    assert staff_view[1]["actor"] == {"client_id": "staff-1", "role": "staff", "name": None}


@pytest.mark.parametrize(
    ("steps", "action", "body"),
    [
        ([], "deploy", {"deployed_on": in_days(-30).isoformat()}),
        ([], "complete", {}),
        ([], "move", {"period": {"year": YEAR, "number": 2}}),
        (["accept"], "accept", {}),
        (["accept"], "reject", {"reason": "Too late."}),
        (["accept"], "return", {"changes_requested": "x"}),
        (["reject"], "accept", {}),
    ],
)
async def test_an_illegal_staff_transition_is_409_and_changes_nothing(
    env: Env, steps: list[str], action: str, body: dict[str, Any]
) -> None:
    rid = (await env.submit())["id"]
    for step in steps:
        extra = {"reason": "No."} if step == "reject" else {}
        assert (await _post(env, rid, step, env.staff, **extra)).status_code == 200
    before = await env.counts()
    response = await _post(env, rid, action, env.staff, **body)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "invalid_transition"
    assert await env.counts() == before


async def test_withdrawn_and_rejected_registrations_are_closed_to_the_organisation(
    env: Env,
) -> None:
    rid = (await env.submit())["id"]
    assert (await _post(env, rid, "withdraw", env.org_a)).json()["state"] == "withdrawn"
    again = await _post(env, rid, "withdraw", env.org_a)
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    edit = await env.client.patch(
        f"/v1/registrations/{rid}", json={"reason": "first_deployment"}, headers=env.org_a
    )
    assert (edit.status_code, edit.json()["code"]) == (409, "invalid_transition")
    other = (await env.submit(form(service="prescription")))["id"]
    await _post(env, other, "reject", env.staff, reason="Not this period.")
    refused = await env.client.patch(
        f"/v1/registrations/{other}", json={"reason": "first_deployment"}, headers=env.org_a
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")


async def test_edits_follow_the_rules_and_end_with_the_window(env: Env) -> None:
    rid = (await env.submit())["id"]
    url = f"/v1/registrations/{rid}"
    before = await env.counts()
    same = await env.client.patch(url, json={"reason": "first_deployment"}, headers=env.org_a)
    assert same.status_code == 200
    assert await env.counts() == before  # nothing changed: no history, no event
    late = add_months(today(), 8).isoformat()
    r7 = await env.client.patch(url, json={"planned_production_start": late}, headers=env.org_a)
    assert (r7.status_code, r7.json()["code"]) == (422, "production_after_period")
    org = {**form()["organisation"], "business_id": "0204819-8", "oid": "1.2.246.10.2048198.10.0"}
    moved_org = await env.client.patch(url, json={"organisation": org}, headers=env.org_a)
    assert (moved_org.status_code, moved_org.json()["code"]) == (422, "business_id_immutable")
    read_only = await env.client.patch(url, json={"state": "accepted"}, headers=env.org_a)
    assert (read_only.status_code, read_only.json()["field"]) == (422, "state")
    closed_period = await env.client.patch(
        url, json={"period": {"year": YEAR, "number": 3}}, headers=env.org_a
    )
    assert (closed_period.status_code, closed_period.json()["code"]) == (422, "period_not_open")
    assert await env.counts() == before
    await publish_period(
        env.app, opens=add_months(today(), -2), closes=add_months(today(), -1), updated=True
    )
    closed = await env.client.patch(url, json={"reason": "first_deployment"}, headers=env.org_a)
    assert (closed.status_code, closed.json()["code"]) == (422, "registration_window_closed")
    assert await env.counts() == before


async def test_a_move_needs_another_open_period_that_fits_r7(env: Env) -> None:
    await publish_period(env.app, number=2, ends=add_months(today(), 3))
    rid = (await env.submit())["id"]
    await _post(env, rid, "accept", env.staff)
    same = await _post(env, rid, "move", env.staff, period={"year": YEAR, "number": 1})
    assert (same.status_code, same.json()["code"]) == (422, "same_period")
    unknown = await _post(env, rid, "move", env.staff, period={"year": YEAR, "number": 3})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "period_not_open")
    too_short = await _post(env, rid, "move", env.staff, period={"year": YEAR, "number": 2})
    assert (too_short.status_code, too_short.json()["code"]) == (422, "production_after_period")
    await publish_period(env.app, number=2, updated=True)
    taken = await env.client.post("/v1/registrations", json=form(number=2), headers=env.org_a)
    assert taken.status_code == 201
    duplicate = await _post(env, rid, "move", env.staff, period={"year": YEAR, "number": 2})
    assert duplicate.status_code == 409
    assert (duplicate.json()["code"], duplicate.json()["registration_id"]) == (
        "duplicate_registration",
        taken.json()["id"],
    )
    current = await env.client.get(f"/v1/registrations/{rid}", headers=env.staff)
    assert (current.json()["state"], current.json()["period"]["number"]) == ("accepted", 1)


async def test_a_deployment_date_in_the_future_is_refused(env: Env) -> None:
    rid = (await env.submit())["id"]
    await _post(env, rid, "accept", env.staff)
    tomorrow = add_months(today(), 1).isoformat()
    response = await _post(env, rid, "deploy", env.staff, deployed_on=tomorrow)
    assert (response.status_code, response.json()["code"]) == (422, "date_in_future")
    missing = await _post(env, rid, "reject", env.staff)
    assert (missing.status_code, missing.json()["code"]) == (422, "validation_error")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_history_is_append_only_in_the_database(
    make_settings: Callable[..., Any], pg_databases: Any, backend: str
) -> None:
    overrides = (
        {"database_url": await pg_databases.create("reg_hist")} if backend != "sqlite" else {}
    )
    async with registration_env(make_settings(RegistrationSettings, **overrides)) as env:
        await env.submit()
        for statement in (
            "UPDATE registration_history SET note = 'rewritten'",
            "DELETE FROM registration_history",
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                async with env.runtime.engine.begin() as conn:
                    await conn.execute(text(statement))
        assert await env.counts() == (1, 1, 1)
