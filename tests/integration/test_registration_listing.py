"""Listing registrations: filters, opaque cursors in a stable order, and the staff exports."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from services.registration.settings import RegistrationSettings
from shared.clock import SystemClock
from tests.dates import in_days
from tests.integration.registration_support import (
    ORG_B,
    YEAR,
    Env,
    form,
    planned,
    publish_period,
    registration_env,
    social_welfare_form,
)

pytestmark = pytest.mark.asyncio

SERVICES = [
    "patient_data_repository",
    "prescription",
    "certificate_delivery",
    "old_patient_data_archiving",
    "imaging_data_repository",
]


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    async with registration_env(make_settings(RegistrationSettings)) as env:
        await publish_period(env.app, number=2)
        yield env


async def _ids(env: Env, headers: dict[str, str], **params: Any) -> list[str]:
    response = await env.client.get("/v1/registrations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def _all_pages(env: Env, limit: int, **params: Any) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = (await env.client.get("/v1/registrations", params=query, headers=env.staff)).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination does not end")


async def test_pages_follow_a_stable_order_without_gaps_or_repeats(env: Env) -> None:
    created = [
        (await env.submit(form(service=s, number=n)))["id"] for n in (1, 2) for s in SERVICES
    ]
    assert await _all_pages(env, 3) == created
    assert await _all_pages(env, 200) == created
    # A change moves a registration to the end of the (updated_at, id) order.
    await env.client.post(f"/v1/registrations/{created[0]}/accept", headers=env.staff)
    assert await _all_pages(env, 4) == [*created[1:], created[0]]


async def test_filters_narrow_the_list(env: Env) -> None:
    a1 = (await env.submit())["id"]
    a2 = (await env.submit(form(service="prescription", number=2)))["id"]
    short = form(service="certificate_delivery", planned_production_start=planned(1))
    a3 = (await env.submit(short))["id"]
    sw = social_welfare_form(ORG_B)
    b1 = (await env.client.post("/v1/registrations", json=sw, headers=env.org_b)).json()["id"]
    await env.client.post(f"/v1/registrations/{a1}/accept", headers=env.staff)
    since = SystemClock().now()
    await env.client.post(f"/v1/registrations/{a2}/accept", headers=env.staff)

    staff = env.staff
    assert set(await _ids(env, staff, period_year=YEAR, period_number=2)) == {a2}
    assert set(await _ids(env, staff, period_number=1)) == {a1, a3, b1}
    assert set(await _ids(env, staff, service="prescription")) == {a2}
    assert set(await _ids(env, staff, domain="social_welfare")) == {b1}
    assert set(await _ids(env, staff, state="accepted")) == {a1, a2}
    assert set(await _ids(env, staff, has_warnings=True)) == {a3}
    assert set(await _ids(env, staff, has_warnings=False)) == {a1, a2, b1}
    assert set(await _ids(env, staff, modified_since=since.isoformat())) == {a2}
    assert set(await _ids(env, env.org_b, state="submitted")) == {b1}
    assert set(await _ids(env, env.org_b, domain="health_care")) == set()
    assert set(await _ids(env, staff, business_id=ORG_B)) == {b1}
    assert set(await _ids(env, env.org_b, business_id="2077474-0")) == set()


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"cursor": "bm90LWpzb24"}, "invalid_cursor", "cursor"),
        ({"cursor": "!!!"}, "invalid_cursor", "cursor"),
        ({"limit": 0}, "validation_error", "limit"),
        ({"limit": 201}, "validation_error", "limit"),
        ({"state": "pending"}, "validation_error", "state"),
        (
            {"modified_since": f"{in_days(30).isoformat()}T00:00:00"},
            "validation_error",
            "modified_since",
        ),
        ({"has_warnings": "perhaps"}, "validation_error", "has_warnings"),
    ],
)
async def test_bad_list_parameters_are_422_problems(
    env: Env, params: dict[str, Any], code: str, field: str
) -> None:
    response = await env.client.get("/v1/registrations", params=params, headers=env.staff)
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)


async def test_staff_export_csv_and_xlsx(env: Env) -> None:
    body = form()
    body["organisation"]["name"] = "=HYPERLINK(1)"
    first = (await env.submit(body))["id"]
    second = (await env.submit(form(service="prescription", number=2)))["id"]
    response = await env.client.get("/v1/registrations/export.csv", headers=env.staff)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == [first, second]
    assert rows[0]["organisation_name"] == "'=HYPERLINK(1)"  # not run as a formula
    assert rows[1]["period"] == f"{YEAR}/2"
    only_two = await env.client.get(
        "/v1/registrations/export.csv", params={"period_number": 2}, headers=env.staff
    )
    assert [r["id"] for r in csv.DictReader(io.StringIO(only_two.text.lstrip("\ufeff")))] == [
        second
    ]
    xlsx = await env.client.get("/v1/registrations/export.xlsx", headers=env.staff)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "id"
    assert [row[0] for row in values[1:]] == [first, second]
