"""Concurrent requests on PostgreSQL: the duplicate rule and Idempotency-Key hold under races."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.registration.settings import RegistrationSettings
from tests.integration.registration_support import Env, form, registration_env

pytestmark = pytest.mark.asyncio

PARALLEL = 8


@pytest.fixture
async def env(make_settings: Callable[..., Any], pg_databases: Any) -> AsyncIterator[Env]:
    url = await pg_databases.create("reg_race")
    settings = make_settings(RegistrationSettings, database_url=url, db_pool_size=PARALLEL)
    async with registration_env(settings) as env:
        yield env


async def test_parallel_duplicates_give_one_registration_and_409s_naming_it(env: Env) -> None:
    responses = await asyncio.gather(
        *(
            env.client.post("/v1/registrations", json=form(), headers=env.org_a)
            for _ in range(PARALLEL)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), [r.text for r in responses]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "duplicate_registration"
            assert response.json()["registration_id"] == winner
    assert await env.counts() == (1, 1, 1)


async def test_parallel_retries_with_one_idempotency_key_give_one_answer(env: Env) -> None:
    headers = {**env.org_a, "Idempotency-Key": "retry-storm"}
    responses = await asyncio.gather(
        *(
            env.client.post("/v1/registrations", json=form(), headers=headers)
            for _ in range(PARALLEL)
        )
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await env.counts() == (1, 1, 1)


# --- Issue 15.6: every state change of notices and deployment tests takes a row lock -------

RESULTS = [
    {"outcome": "failure", "test_identities": ["010181-900C"]},
    {"outcome": "success", "test_identities": ["010181-900C"]},
    {"outcome": "success", "test_identities": ["010181-900C"]},
]


async def test_three_parallel_results_on_one_test_give_one_200_and_one_event(env: Env) -> None:
    # Before: all three answered 200, with `failed` once and `succeeded` twice.
    registration = await env.accepted()
    test = await env.planned_test(registration["id"])
    url = f"/v1/deployment-tests/{test['id']}/result"
    today = env.clock.today().isoformat()
    responses = await asyncio.gather(
        *(
            env.client.post(url, json={**body, "tested_on": today}, headers=env.org_a)
            for body in RESULTS
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409], [r.text for r in responses]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    outcomes = [
        *await env.events("deployment_test.succeeded"),
        *await env.events("deployment_test.failed"),
    ]
    assert len(outcomes) == 1
    stored = await env.client.get(f"/v1/deployment-tests/{test['id']}", headers=env.org_a)
    assert stored.json()["state"] == winner["state"]
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "invalid_transition"


async def test_parallel_reports_of_one_test_give_one_report_and_one_deployment(env: Env) -> None:
    registration = await env.accepted(form(customership={"existing_customer": True}))
    test = await env.planned_test(registration["id"])
    today = env.clock.today().isoformat()
    recorded = await env.client.post(
        f"/v1/deployment-tests/{test['id']}/result",
        json={**RESULTS[1], "tested_on": today},
        headers=env.org_a,
    )
    assert recorded.status_code == 200, recorded.text
    report = {
        "reporter_name": "Maija Meikäläinen",
        "reporter_email": "maija@example.fi",
        "tested_at": env.clock.now().isoformat(),
        "what_was_tested": "Recording a visit.",
        "outcome": "Works.",
    }
    responses = await asyncio.gather(
        *(
            env.client.post(
                f"/v1/deployment-tests/{test['id']}/report", json=report, headers=env.org_a
            )
            for _ in range(4)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409], [
        r.text for r in responses
    ]
    assert len(await env.events("deployment_test.reported")) == 1
    assert len(await env.events("registration.deployed")) == 1


async def test_six_parallel_acknowledgements_give_one_history_entry(env: Env) -> None:
    # Before: six `received → acknowledged` history entries and six events.
    body = {
        "organisation_name": "Esimerkki Terveys Oy",
        "notice": {"kind": "document_volume_growth", "document_increase": 650000},
    }
    filed = await env.client.post("/v1/notices", json=body, headers=env.org_a)
    assert filed.status_code == 201, filed.text
    url = f"/v1/notices/{filed.json()['id']}"
    responses = await asyncio.gather(
        *(env.client.post(f"{url}/acknowledge", headers=env.staff) for _ in range(6))
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5, [
        r.text for r in responses
    ]
    history = (await env.client.get(url, headers=env.staff)).json()["history"]
    assert [h["action"] for h in history] == ["filed", "acknowledged"]
    assert len(await env.events("notice.acknowledged")) == 1


async def test_accept_against_withdraw_leaves_one_consistent_history(env: Env) -> None:
    """The registration lifecycle under a race: staff accept while the organisation withdraws.

    Either order is legal (withdrawing an accepted registration is allowed), but each request
    sees the state the other left: the history is one chain, the events match it one for one
    with rising revisions, and the registration ends withdrawn.
    """
    for _ in range(4):
        rid = (await env.submit())["id"]
        accept, withdraw = await asyncio.gather(
            env.client.post(f"/v1/registrations/{rid}/accept", headers=env.staff),
            env.client.post(f"/v1/registrations/{rid}/withdraw", headers=env.org_a),
        )
        assert withdraw.status_code == 200, withdraw.text
        assert accept.status_code in (200, 409), accept.text
        history = (
            await env.client.get(f"/v1/registrations/{rid}/history", headers=env.staff)
        ).json()
        chain = [(h["from_state"], h["to_state"]) for h in history]
        expected_accepted = [
            (None, "submitted"),
            ("submitted", "accepted"),
            ("accepted", "withdrawn"),
        ]
        expected_refused = [(None, "submitted"), ("submitted", "withdrawn")]
        assert chain == (expected_accepted if accept.status_code == 200 else expected_refused)
        final = (await env.client.get(f"/v1/registrations/{rid}", headers=env.staff)).json()
        assert (final["state"], final["revision"]) == ("withdrawn", len(chain))
    kinds = ("submitted", "accepted", "withdrawn")
    for_each: dict[str, list[int]] = {}
    for kind in kinds:
        for event in await env.events(f"registration.{kind}"):
            for_each.setdefault(event.payload["registration_id"], []).append(
                event.payload["revision"]
            )
    assert all(sorted(r) == list(range(1, len(r) + 1)) for r in for_each.values()), for_each
