"""Issue 14.5 on the registration service: the rules at the edges (R7, R8, R9, R10, contacts)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from services.registration.domain.rules import add_months
from services.registration.settings import RegistrationSettings
from shared.clock import SettableClock
from tests import dates
from tests.integration.registration_support import (
    ORG_A,
    ORG_B,
    Env,
    checklist_done,
    form,
    planned,
    publish_period,
    registration_env,
    social_welfare_form,
    today,
)

pytestmark = pytest.mark.asyncio

R7 = "production_after_period"


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    async with registration_env(make_settings(RegistrationSettings), clock=SettableClock()) as env:
        yield env


def codes(registration: dict[str, Any]) -> list[str]:
    return [w["code"] for w in registration["warnings"]]


async def test_r7_a_shortened_period_warns_every_registration_in_it_and_tells_them(
    env: Env,
) -> None:
    a = await env.submit(form(planned_production_start=planned(5)))
    b = await env.client.post(
        "/v1/registrations",
        json=form(ORG_B, planned_production_start=planned(2)),
        headers=env.org_b,
    )
    assert b.status_code == 201, b.text
    # The period now ends in 3 months: A (5 months) is past its end, B (2 months) is not.
    await publish_period(env.app, ends=add_months(today(), 3), updated=True)
    after_a = (await env.client.get(f"/v1/registrations/{a['id']}", headers=env.staff)).json()
    after_b = await env.client.get(f"/v1/registrations/{b.json()['id']}", headers=env.staff)
    assert codes(after_a) == [R7]
    assert after_a["revision"] == a["revision"] + 1
    assert after_b.json()["revision"] == b.json()["revision"], "nothing changed for B"
    (updated,) = await env.events("registration.updated")
    assert updated.payload["registration_id"] == a["id"]
    assert updated.payload["changed"] == ["warnings"]
    assert [w["code"] for w in updated.payload["warnings"]] == [R7]
    assert updated.payload["revision"] == after_a["revision"]
    history = (
        await env.client.get(f"/v1/registrations/{a['id']}/history", headers=env.org_a)
    ).json()
    assert history[-1]["action"] == "period_updated"
    assert history[-1]["changes"]["warnings"]["new"][0]["code"] == R7
    # Lengthened again: the warning goes, with its own event.
    await publish_period(env.app, ends=add_months(today(), 7), updated=True)
    again = (await env.client.get(f"/v1/registrations/{a['id']}", headers=env.staff)).json()
    assert codes(again) == []
    assert len(await env.events("registration.updated")) == 2


async def test_r7_an_edit_that_changes_nothing_r7_checks_is_not_refused(env: Env) -> None:
    created = await env.submit(form(planned_production_start=planned(5)))
    await publish_period(env.app, ends=add_months(today(), 3), updated=True)
    url = f"/v1/registrations/{created['id']}"
    contacts = [*form()["contacts"], {**form()["contacts"][0], "email": "toinen@example.fi"}]
    # Before: 422 production_after_period, even for a contact change.
    edited = await env.client.patch(url, json={"contacts": contacts}, headers=env.org_a)
    assert edited.status_code == 200, edited.text
    assert codes(edited.json()) == [R7], "the warning stays for staff to see"
    moved_start = await env.client.patch(
        url, json={"planned_production_start": planned(4)}, headers=env.org_a
    )
    assert moved_start.status_code == 422
    assert moved_start.json()["code"] == R7
    in_time = await env.client.patch(
        url, json={"planned_production_start": planned(2)}, headers=env.org_a
    )
    assert in_time.status_code == 200, in_time.text
    assert R7 not in codes(in_time.json())


@pytest.mark.parametrize("second", ["MAIJA@example.fi", "maija@EXAMPLE.FI", "maija@example.fi"])
async def test_the_same_contact_twice_is_a_422_naming_the_field(env: Env, second: str) -> None:
    body = form()
    body["contacts"].append({**body["contacts"][0], "email": second, "role": "reader"})
    response = await env.client.post("/v1/registrations", json=body, headers=env.org_a)
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["field"]) == (
        "duplicate_contact",
        "contacts.1.email",
    )
    created = await env.submit()
    patched = await env.client.patch(
        f"/v1/registrations/{created['id']}",
        json={"contacts": body["contacts"]},
        headers=env.org_a,
    )
    assert patched.status_code == 422
    assert patched.json()["field"] == "contacts.1.email"


async def test_r8_a_first_deployment_is_deployed_only_with_its_checklist_complete(
    env: Env,
) -> None:
    registration = await env.accepted()
    url = f"/v1/registrations/{registration['id']}/deploy"
    body = {"deployed_on": today().isoformat()}
    refused = await env.client.post(url, json=body, headers=env.staff)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["code"] == "customership_checklist_incomplete"
    assert problem["missing"] == [
        "commitment_signed_on",
        "service_application_on",
        "service_description_accepted_on",
        "details_submitted_on",
    ]
    steps = {k: v for k, v in checklist_done().items() if k != "existing_customer"}
    customership = f"/v1/customerships/{ORG_A}"
    assert (await env.client.patch(customership, json=steps, headers=env.org_a)).status_code == 403
    future = await env.client.patch(
        customership, json={"details_submitted_on": dates.in_days(1).isoformat()}, headers=env.staff
    )
    assert (future.status_code, future.json()["code"]) == (422, "date_in_future")
    half = await env.client.patch(
        customership, json=dict(list(steps.items())[:2]), headers=env.staff
    )
    assert half.status_code == 200, half.text
    assert half.json()["missing"] == ["service_description_accepted_on", "details_submitted_on"]
    still = await env.client.post(url, json=body, headers=env.staff)
    assert still.json()["missing"] == ["service_description_accepted_on", "details_submitted_on"]
    done = await env.client.patch(customership, json=steps, headers=env.staff)
    assert done.json()["missing"] == []
    deployed = await env.client.post(url, json=body, headers=env.staff)
    assert deployed.status_code == 200, deployed.text
    assert (await env.client.get(customership, headers=env.staff)).json()["formed"] is True
    assert len(await env.events("customership.formed")) == 1


async def test_r8_an_existing_customer_deploys_without_a_checklist(env: Env) -> None:
    registration = await env.accepted(form(customership={"existing_customer": True}))
    deployed = await env.client.post(
        f"/v1/registrations/{registration['id']}/deploy",
        json={"deployed_on": today().isoformat()},
        headers=env.staff,
    )
    assert deployed.status_code == 200, deployed.text


REPORT = {
    "reporter_name": "Maija Meikäläinen",
    "reporter_email": "maija@example.fi",
    "what_was_tested": "Recording a visit and reading it back.",
    "outcome": "Works.",
}


async def _report(env: Env, registration: dict[str, Any], tested_days_ago: int) -> Any:
    test = await env.planned_test(registration["id"])
    tested_on = env.clock.today() - timedelta(days=tested_days_ago)
    recorded = await env.client.post(
        f"/v1/deployment-tests/{test['id']}/result",
        json={
            "outcome": "success",
            "tested_on": tested_on.isoformat(),
            "test_identities": ["010181-900C"],
        },
        headers=env.org_a,
    )
    assert recorded.status_code == 200, recorded.text
    return await env.client.post(
        f"/v1/deployment-tests/{test['id']}/report",
        json={**REPORT, "tested_at": env.clock.now().isoformat()},
        headers=env.org_a,
    )


async def test_r8_a_report_without_the_checklist_is_kept_and_the_registration_waits(
    env: Env,
) -> None:
    registration = await env.accepted()
    filed = await _report(env, registration, tested_days_ago=0)
    assert filed.status_code == 200, filed.text
    assert filed.json()["state"] == "reported"
    state = await env.client.get(f"/v1/registrations/{registration['id']}", headers=env.staff)
    assert state.json()["state"] == "accepted"
    assert await env.events("registration.deployed") == []


async def test_r10_a_report_after_its_deadline_is_recorded_as_late(env: Env) -> None:
    # Before: nothing told a late report from one in time.
    registration = await env.accepted(form(customership=checklist_done()))
    late = await _report(env, registration, tested_days_ago=3)  # due 1 day ago
    assert late.status_code == 200, late.text
    assert late.json()["reported_late"] is True
    seen = await env.client.get(f"/v1/deployment-tests/{late.json()['id']}", headers=env.staff)
    assert seen.json()["reported_late"] is True
    (event,) = await env.events("deployment_test.reported")
    assert event.payload["reported_late"] is True

    other = await env.accepted(form(service="prescription", customership=checklist_done()))
    in_time = await _report(env, other, tested_days_ago=2)  # due today
    assert in_time.json()["reported_late"] is False


async def test_r9_social_welfare_notice_kinds_check_the_organisations_domain(env: Env) -> None:
    await env.submit()  # ORG_A: health care
    profile = {
        "organisation_name": "Esimerkki Terveys Oy",
        "notice": {
            "kind": "system_profile_change",
            "old_profile": "A",
            "new_profile": "B",
            "effective_on": dates.in_days(60).isoformat(),
        },
    }
    groups = {
        "organisation_name": "Esimerkki Terveys Oy",
        "notice": {
            "kind": "document_group_change",
            "document_groups": ["sw_phase_2_documents"],
            "effective_on": dates.in_days(60).isoformat(),
        },
    }
    for body in (profile, groups):
        refused = await env.client.post("/v1/notices", json=body, headers=env.org_a)
        assert refused.status_code == 422, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == (
            "notice_not_for_domain",
            "notice.kind",
        )
    welfare = await env.client.post(
        "/v1/registrations", json=social_welfare_form(ORG_B), headers=env.org_b
    )
    assert welfare.status_code == 201, welfare.text
    for body in (profile, groups):
        accepted = await env.client.post("/v1/notices", json=body, headers=env.org_b)
        assert accepted.status_code == 201, accepted.text
