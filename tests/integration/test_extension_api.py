"""Extension of use over HTTP: notices (R9), deployment tests (R10), customership (R8)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.notifications.main import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registration.app.deadlines import check_report_deadlines
from services.registration.settings import RegistrationSettings
from shared.clock import SettableClock
from shared.events import Envelope
from tests import dates
from tests.integration.registration_support import ORG_A, Env, form, registration_env
from tests.support import eventually, running

pytestmark = pytest.mark.asyncio

CHECKLIST_DONE = {
    "existing_customer": False,
    "commitment_signed_on": dates.in_days(-60).isoformat(),
    "service_application_on": dates.in_days(-59).isoformat(),
    "service_description_accepted_on": dates.in_days(-58).isoformat(),
    "details_submitted_on": dates.in_days(-57).isoformat(),
}


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    settings = make_settings(RegistrationSettings, deadline_watch_interval_s=3600)
    async with registration_env(settings, clock=SettableClock()) as env:
        yield env


async def deadlines_at(env: Env, at: datetime | None = None) -> dict[str, int]:
    """One pass of the report-deadline watch with the service's clock at `at` (or as it is)."""
    clock = env.clock
    assert isinstance(clock, SettableClock)
    if at is not None:
        clock.set(at)
    return await check_report_deadlines(env.runtime.uow, clock=clock)


async def events(env: Env, event_type: str) -> list[Envelope]:
    outbox = env.runtime.tables.outbox
    async with env.runtime.engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.body).where(outbox.c.event_type == event_type))
        return [Envelope.model_validate_json(row[0]) for row in rows]


def connection_point(days_ahead: int) -> dict[str, Any]:
    effective = dates.in_days(days_ahead)
    return {
        "organisation_name": "Esimerkki Terveys Oy",
        "notice": {
            "kind": "connection_point_change",
            "change": "new_connection_point",
            "connection_point": "Liityntäpiste 2",
            "effective_on": effective.isoformat(),
        },
    }


async def test_r9_a_connection_point_change_13_days_ahead_is_too_late_14_is_in_time(
    env: Env,
) -> None:
    late = await env.client.post("/v1/notices", json=connection_point(13), headers=env.org_a)
    assert late.status_code == 422
    problem = late.json()
    assert problem["code"] == "notice_too_late"
    assert problem["field"] == "notice.effective_on"
    earliest = env.clock.today() + timedelta(days=14)
    assert problem["earliest_allowed"] == earliest.isoformat()
    ok = await env.client.post("/v1/notices", json=connection_point(14), headers=env.org_a)
    assert ok.status_code == 201, ok.text
    assert ok.json()["routed_to_kela"] is False
    assert ok.json()["state"] == "received"


@pytest.mark.parametrize(("increase", "routed"), [(500_000, False), (500_001, True)])
async def test_r9_volume_growth_over_500000_goes_to_kelas_mailbox(
    env: Env, increase: int, routed: bool
) -> None:
    body = {
        "organisation_name": "Esimerkin kunta",
        "notice": {"kind": "document_volume_growth", "document_increase": increase},
    }
    response = await env.client.post("/v1/notices", json=body, headers=env.org_a)
    assert response.status_code == 201, response.text
    assert response.json()["routed_to_kela"] is routed
    (event,) = await events(env, "notice.received")
    assert event.payload["routed_to_kela"] is routed
    expected = env.settings.kela_notice_mailbox if routed else None
    assert event.payload["kela_mailbox"] == expected


async def test_notices_are_the_organisations_own_and_staff_acknowledge_them(env: Env) -> None:
    body = {
        "organisation_name": "Esimerkin kunta",
        "notice": {
            "kind": "document_group_change",
            "document_groups": ["sw_phase_2_documents"],
            "effective_on": dates.in_days(180).isoformat(),
        },
    }
    filed = (await env.client.post("/v1/notices", json=body, headers=env.org_a)).json()
    assert filed["routed_to_kela"] is True
    url = f"/v1/notices/{filed['id']}"
    assert (await env.client.get(url, headers=env.org_b)).status_code == 404
    assert (await env.client.get("/v1/notices", headers=env.org_b)).json()["items"] == []
    assert (await env.client.post(f"{url}/acknowledge", headers=env.org_a)).status_code == 403
    acknowledged = await env.client.post(f"{url}/acknowledge", headers=env.staff)
    assert acknowledged.status_code == 200
    assert acknowledged.json()["state"] == "acknowledged"
    assert [h["action"] for h in acknowledged.json()["history"]] == ["filed", "acknowledged"]
    again = await env.client.post(f"{url}/acknowledge", headers=env.staff)
    assert again.status_code == 409
    listed = await env.client.get("/v1/notices?state=acknowledged", headers=env.staff)
    assert [n["id"] for n in listed.json()["items"]] == [filed["id"]]
    assert len(await events(env, "notice.acknowledged")) == 1


async def test_unknown_fields_and_kinds_in_a_notice_are_refused(env: Env) -> None:
    body = connection_point(30)
    body["notice"]["state"] = "acknowledged"
    refused = await env.client.post("/v1/notices", json=body, headers=env.org_a)
    assert refused.status_code == 422
    body = {"organisation_name": "X", "notice": {"kind": "teleportation"}}
    assert (await env.client.post("/v1/notices", json=body, headers=env.org_a)).status_code == 422


async def accepted_registration(env: Env, **overrides: Any) -> dict[str, Any]:
    registration = await env.submit(form(**overrides))
    accepted = await env.client.post(
        f"/v1/registrations/{registration['id']}/accept", headers=env.staff
    )
    assert accepted.status_code == 200, accepted.text
    result: dict[str, Any] = accepted.json()
    return result


async def planned_test(env: Env, registration_id: str) -> dict[str, Any]:
    response = await env.client.post(
        f"/v1/registrations/{registration_id}/deployment-tests",
        json={"planned_on": env.clock.today().isoformat()},
        headers=env.org_a,
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_r10_a_real_persons_identity_code_is_refused(env: Env) -> None:
    registration = await accepted_registration(env)
    test = await planned_test(env, registration["id"])
    result = {
        "outcome": "success",
        "tested_on": env.clock.today().isoformat(),
        "test_identities": ["010181-900C", "131052-308T"],
    }
    refused = await env.client.post(
        f"/v1/deployment-tests/{test['id']}/result", json=result, headers=env.org_a
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "not_a_test_identity"
    assert refused.json()["field"] == "test_identities.1"
    stored = await env.client.get(f"/v1/deployment-tests/{test['id']}", headers=env.org_a)
    assert stored.json()["state"] == "planned", "nothing was half-written"


async def test_r10_a_test_is_planned_only_for_an_accepted_registration_of_ones_own(
    env: Env,
) -> None:
    submitted = await env.submit()
    response = await env.client.post(
        f"/v1/registrations/{submitted['id']}/deployment-tests",
        json={"planned_on": dates.in_days(90).isoformat()},
        headers=env.org_a,
    )
    assert response.status_code == 409
    accepted = await accepted_registration(env, service="prescription")
    other = await env.client.post(
        f"/v1/registrations/{accepted['id']}/deployment-tests",
        json={"planned_on": dates.in_days(90).isoformat()},
        headers=env.org_b,
    )
    assert other.status_code == 404


async def record_success(env: Env, test_id: str, tested_on: date) -> dict[str, Any]:
    response = await env.client.post(
        f"/v1/deployment-tests/{test_id}/result",
        json={
            "outcome": "success",
            "tested_on": tested_on.isoformat(),
            "test_identities": ["010181-900C"],
        },
        headers=env.org_a,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_r10_unreported_success_is_reminded_once_then_flagged_overdue_once(env: Env) -> None:
    registration = await accepted_registration(env)
    test = await planned_test(env, registration["id"])
    today = env.clock.today()
    recorded = await record_success(env, test["id"], today)
    assert recorded["state"] == "succeeded"
    assert recorded["report_due_on"] == (today + timedelta(days=2)).isoformat()
    (succeeded,) = await events(env, "deployment_test.succeeded")
    assert succeeded.payload["contacts"][0]["email"] == "maija@example.fi"

    now = env.clock.now()
    assert await deadlines_at(env, now) == {"reminders": 0, "overdue": 0}
    day_before = now + timedelta(days=1, hours=12)
    assert await deadlines_at(env, day_before) == {"reminders": 1, "overdue": 0}
    assert await deadlines_at(env, day_before) == {"reminders": 0, "overdue": 0}
    after = now + timedelta(days=3, hours=1)
    assert await deadlines_at(env, after) == {"reminders": 0, "overdue": 1}
    assert await deadlines_at(env, after) == {"reminders": 0, "overdue": 0}
    assert len(await events(env, "deployment_test.report_reminder_due")) == 1
    assert len(await events(env, "deployment_test.report_overdue")) == 1
    overdue = await env.client.get("/v1/deployment-tests?report_overdue=true", headers=env.staff)
    assert [t["id"] for t in overdue.json()["items"]] == [test["id"]]


async def test_r10_a_report_in_time_deploys_the_registration_and_is_never_overdue(
    env: Env,
) -> None:
    # R8: with the customership checklist complete (without it, see the test further on).
    registration = await accepted_registration(env, customership=CHECKLIST_DONE)
    test = await planned_test(env, registration["id"])
    tested_on = env.clock.today() - timedelta(days=2)  # day 2: still in time
    await record_success(env, test["id"], tested_on)
    report = {
        "reporter_name": "Maija Meikäläinen",
        "reporter_email": "maija@example.fi",
        "tested_at": env.clock.now().isoformat(),
        "what_was_tested": "Recording a visit and reading it back.",
        "outcome": "Works.",
    }
    filed = await env.client.post(
        f"/v1/deployment-tests/{test['id']}/report", json=report, headers=env.org_a
    )
    assert filed.status_code == 200, filed.text
    assert filed.json()["state"] == "reported"
    assert filed.json()["report_overdue"] is False
    assert await deadlines_at(env) == {"reminders": 0, "overdue": 0}
    deployed = await env.client.get(f"/v1/registrations/{registration['id']}", headers=env.org_a)
    assert deployed.json()["state"] == "deployed"
    (event,) = await events(env, "registration.deployed")
    assert event.payload["deployed_on"] == tested_on.isoformat()
    not_overdue = await env.client.get(
        "/v1/deployment-tests?report_overdue=false", headers=env.staff
    )
    assert [t["id"] for t in not_overdue.json()["items"]] == [test["id"]]


async def test_r8_the_first_accepted_deployment_forms_the_customership_once(env: Env) -> None:
    await accepted_registration(env, customership=CHECKLIST_DONE)
    own = await env.client.get(f"/v1/customerships/{ORG_A}", headers=env.org_a)
    assert own.status_code == 200, own.text
    assert own.json()["formed"] is True
    assert own.json()["missing"] == []
    assert (
        await env.client.get(f"/v1/customerships/{ORG_A}", headers=env.org_b)
    ).status_code == 404
    assert len(await events(env, "customership.formed")) == 1
    listed = await env.client.get("/v1/customerships?formed=true", headers=env.staff)
    assert [c["business_id"] for c in listed.json()] == [ORG_A]
    assert (await env.client.get("/v1/customerships", headers=env.org_a)).status_code == 403


async def test_r8_an_incomplete_checklist_forms_no_customership_and_says_what_is_missing(
    env: Env,
) -> None:
    await accepted_registration(env)
    own = (await env.client.get(f"/v1/customerships/{ORG_A}", headers=env.staff)).json()
    assert own["formed"] is False
    assert own["missing"] == [
        "commitment_signed_on",
        "service_application_on",
        "service_description_accepted_on",
        "details_submitted_on",
    ]
    assert await events(env, "customership.formed") == []


async def test_r10_over_the_bus_an_unreported_test_mails_its_contacts_then_flags_staff(
    make_settings: Callable[..., Any], smtp: tuple[str, int, Any]
) -> None:
    """Registration and notifications together, on the real broker and an SMTP server."""
    host, port, server = smtp
    notifications = create_notifications(
        make_settings(
            NotificationsSettings,
            smtp_host=host,
            smtp_port=port,
            staff_mailbox="staff@kela.example",
            mail_poll_interval_s=0.2,
        )
    )
    settings = make_settings(RegistrationSettings, deadline_watch_interval_s=3600)
    clock = SettableClock()
    async with running(notifications), registration_env(settings, clock=clock) as env:
        await notifications.state.runtime.broker.wait_ready(10)
        await eventually(
            lambda: all(c._queue for c in notifications.state.runtime.consumers),
            what="notifications' queues",
        )
        registration = await accepted_registration(env)
        test = await planned_test(env, registration["id"])
        await record_success(env, test["id"], clock.today())
        now = clock.now()
        await eventually(
            lambda: len(server.to("maija@example.fi")) == 3,
            timeout=20,
            what="receipt, acceptance and the report request",
        )
        await deadlines_at(env, now + timedelta(days=1, hours=12))
        await eventually(
            lambda: len(server.to("maija@example.fi")) == 4,
            timeout=20,
            what="the reminder the day before the deadline",
        )
        await deadlines_at(env, now + timedelta(days=3, hours=1))
        await eventually(
            lambda: (
                server.to("staff@kela.example")
                and any("myöhässä" in str(m["Subject"]) for m in server.to("staff@kela.example"))
            ),
            timeout=20,
            what="the overdue flag to staff",
        )
    subjects = [str(m["Subject"]) for m in server.to("maija@example.fi")]
    # The contact writes Swedish (see registration_support.form).
    assert any("ibruktagningsprov" in s.lower() for s in subjects), subjects
