"""Issue 15.10 and 14.5 on the registration service, on PostgreSQL: dates in a sane range.

Every date the API takes lies between EARLIEST_DATE and LATEST_DATE (2000-01-01–2100-12-31 by
default), else a 422 `date_out_of_range` naming the field; a production start in the past is
a 422 `production_start_in_past`. Before, `0001-01-01` was accepted as a production start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from services.registration.settings import RegistrationSettings
from tests.dates import in_days
from tests.integration.registration_support import Env, form, registration_env

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def env(make_settings: Callable[..., Any], pg_databases: Any) -> AsyncIterator[Env]:
    url = await pg_databases.create("reg_dates")
    async with registration_env(make_settings(RegistrationSettings, database_url=url)) as env:
        yield env


def _problem(response: Any, code: str, field: str) -> None:
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
async def test_a_production_start_outside_the_range_is_422(env: Env, day: str) -> None:
    response = await env.client.post(
        "/v1/registrations", json=form(planned_production_start=day), headers=env.org_a
    )
    _problem(response, "date_out_of_range", "planned_production_start")
    assert await env.counts() == (0, 0, 0)


async def test_r7_a_production_start_in_the_past_is_422(env: Env) -> None:
    yesterday = in_days(-1).isoformat()
    response = await env.client.post(
        "/v1/registrations", json=form(planned_production_start=yesterday), headers=env.org_a
    )
    _problem(response, "production_start_in_past", "planned_production_start")
    today = await env.client.post(
        "/v1/registrations",
        json=form(planned_production_start=in_days(0).isoformat()),
        headers=env.org_a,
    )
    assert today.status_code == 201, today.text


async def test_a_checklist_date_and_an_edit_are_checked_too(env: Env) -> None:
    body = form()
    body["customership"]["commitment_signed_on"] = "0001-01-01"
    response = await env.client.post("/v1/registrations", json=body, headers=env.org_a)
    _problem(response, "date_out_of_range", "customership.commitment_signed_on")
    rid = (await env.submit())["id"]
    patched = await env.client.patch(
        f"/v1/registrations/{rid}",
        json={"planned_production_start": "2101-01-01"},
        headers=env.org_a,
    )
    _problem(patched, "date_out_of_range", "planned_production_start")


async def test_deployment_notice_and_test_dates_are_checked(env: Env) -> None:
    registration = await env.accepted(form(customership={"existing_customer": True}))
    rid = registration["id"]
    deploy = await env.client.post(
        f"/v1/registrations/{rid}/deploy", json={"deployed_on": "0001-01-01"}, headers=env.staff
    )
    _problem(deploy, "date_out_of_range", "deployed_on")
    notice = await env.client.post(
        "/v1/notices",
        json={
            "organisation_name": "Esimerkki Terveys Oy",
            "notice": {
                "kind": "new_certified_system",
                "product": "Potilas Pro",
                "vendor": "Toimittaja Oy",
                "certification_class": "A",
                "in_use_from": "9999-12-31",
            },
        },
        headers=env.org_a,
    )
    _problem(notice, "date_out_of_range", "notice.in_use_from")
    planned = await env.client.post(
        f"/v1/registrations/{rid}/deployment-tests",
        json={"planned_on": "2101-01-01"},
        headers=env.org_a,
    )
    _problem(planned, "date_out_of_range", "planned_on")
    test = await env.planned_test(rid)
    recorded = await env.client.post(
        f"/v1/deployment-tests/{test['id']}/result",
        json={"outcome": "success", "tested_on": "1999-01-01", "test_identities": ["010181-900C"]},
        headers=env.org_a,
    )
    _problem(recorded, "date_out_of_range", "tested_on")


async def test_an_extreme_instant_is_422_not_500(env: Env) -> None:
    # 9999-12-31T20:00-05:00 is past year 9999 in UTC: before, an OverflowError (500).
    for instant in ("9999-12-31T20:00:00-05:00", "0001-01-01T01:00:00+14:00"):
        listed = await env.client.get(
            "/v1/registrations", params={"modified_since": instant}, headers=env.staff
        )
        assert listed.status_code == 422, listed.text
        assert listed.json()["field"] == "modified_since"


async def test_the_range_is_a_setting(make_settings: Callable[..., Any]) -> None:
    settings = make_settings(RegistrationSettings, latest_date=in_days(0) + timedelta(days=90))
    async with registration_env(settings) as env:
        response = await env.client.post(
            "/v1/registrations",
            json=form(planned_production_start=in_days(120).isoformat()),
            headers=env.org_a,
        )
    _problem(response, "date_out_of_range", "planned_production_start")
