"""Issue 15, items 1–4 on the registration service, on PostgreSQL: text that cannot poison.

Every request text field and text parameter is a `shared.text.SafeLine`/`SafeText`: a NUL, a
control character or (in a one-line field) a line break is a 422 naming the field, before
anything is stored or looked up. The staff exports strip what a cell cannot hold at their own
edge (defence in depth), so a poisoned row that got in some other way is never a 500.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from services.registration.settings import RegistrationSettings
from tests.integration.registration_support import Env, form, registration_env

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def env(make_settings: Callable[..., Any], pg_databases: Any) -> AsyncIterator[Env]:
    url = await pg_databases.create("reg_text")
    async with registration_env(make_settings(RegistrationSettings, database_url=url)) as env:
        yield env


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("validation_error", field), problem


async def test_a_nul_in_a_contacts_name_is_a_422_naming_the_field(env: Env) -> None:
    # Before: 201, and the NUL then poisoned scheduling and notifications (issue 15.1).
    body = form()
    body["contacts"][0]["name"] = "Nul\u0000Name"
    response = await env.client.post("/v1/registrations", json=body, headers=env.org_a)
    _refused(response, "contacts.0.name")
    assert await env.counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("organisation", "name"), "Ctrl\u0001Oy"),
        (("organisation", "name"), "Esimerkki Oy\r\nBcc: victim@example.fi"),
        (("organisation", "name"), "Esimerkki Oy\nY-tunnus: 0204819-8"),
        (("organisation", "name"), "Esimerkki\u2028Oy"),
        (("system", "product"), "Potilas\tPro"),
        (("system", "vendor"), "Toimittaja\u0085Oy"),
        (("system", "version"), "5.2\u0000"),
        (("organisation", "oid"), "1.2.246.10.20774740.10.0\u0000"),
        (("organisation", "business_id"), "2077474-0\u0000"),
    ],
)
async def test_control_characters_and_line_breaks_in_one_line_fields_are_422(
    env: Env, path: tuple[str, str], value: str
) -> None:
    body = form()
    body[path[0]][path[1]] = value
    response = await env.client.post("/v1/registrations", json=body, headers=env.org_a)
    _refused(response, ".".join(path))
    assert await env.counts() == (0, 0, 0)


async def test_text_is_stored_nfc_normalised(env: Env) -> None:
    body = form()
    body["contacts"][0]["name"] = "Ma\u0308tti"  # a + combining diaeresis
    created = await env.submit(body)
    assert created["contacts"][0]["name"] == "M\u00e4tti"


async def test_staff_reasons_hold_lines_but_no_control_characters(env: Env) -> None:
    rid = (await env.submit())["id"]
    bad = await env.client.post(
        f"/v1/registrations/{rid}/return",
        json={"changes_requested": "Add a reader.\u0000"},
        headers=env.staff,
    )
    _refused(bad, "changes_requested")
    good = await env.client.post(
        f"/v1/registrations/{rid}/return",
        json={"changes_requested": "Add a reader.\r\nAnd a technical contact."},
        headers=env.staff,
    )
    assert good.status_code == 200, good.text
    assert good.json()["state_note"] == "Add a reader.\nAnd a technical contact."


async def test_a_notices_organisation_name_is_one_line(env: Env) -> None:
    body = {
        "organisation_name": "Esimerkin kunta\r\nY-tunnus: 0204819-8",
        "notice": {"kind": "document_volume_growth", "document_increase": 650000},
    }
    _refused(
        await env.client.post("/v1/notices", json=body, headers=env.org_a), "organisation_name"
    )


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/registrations?service=a%00b", "service"),
        ("/v1/registrations?business_id=%00", "business_id"),
        ("/v1/notices?kind=a%00b", "kind"),
        ("/v1/customerships?after=%00", "after"),
        ("/v1/customerships/%00", "business_id"),
        ("/v1/customerships/2077474-0%01", "business_id"),
    ],
)
async def test_a_nul_in_a_query_or_path_parameter_is_a_422_not_a_503(
    env: Env, url: str, field: str
) -> None:
    # Before: 503 storage_unavailable with Retry-After (PostgreSQL refuses the NUL; 15.2).
    _refused(await env.client.get(url, headers=env.staff), field)


async def test_a_nul_in_the_token_form_is_a_422(env: Env) -> None:
    response = await env.client.post(
        "/v1/token",
        data={"grant_type": "client_credentials", "client_id": "a\u0000b", "client_secret": "x"},
    )
    _refused(response, "client_id")


async def test_a_nul_in_basic_credentials_is_invalid_client_not_a_503(env: Env) -> None:
    response = await env.client.post(
        "/v1/token", data={"grant_type": "client_credentials"}, auth=("a\u0000b", "secret")
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


async def test_the_exports_strip_control_characters_a_row_holds(env: Env) -> None:
    # Defence in depth (15.3): the API refuses it now, so put it in through the repository.
    rid = uuid.UUID((await env.submit())["id"])
    async with env.runtime.uow() as uow:
        row = await uow.registrations.get(registration_id=rid, for_update=True)
        assert row is not None
        row.organisation_name = "Ctrl\u0001Oy\u001f\u0085"
        row.oid = "=HYPERLINK(\u0002)"
        await uow.commit()

    xlsx = await env.client.get("/v1/registrations/export.xlsx", headers=env.staff)
    assert xlsx.status_code == 200, xlsx.text  # before: 500 (openpyxl IllegalCharacterError)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    record = dict(zip(header, rows[0], strict=True))
    assert record["organisation_name"] == "CtrlOy"
    assert record["oid"] == "'=HYPERLINK()"

    text = (await env.client.get("/v1/registrations/export.csv", headers=env.staff)).text
    (line,) = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert (line["organisation_name"], line["oid"]) == ("CtrlOy", "'=HYPERLINK()")
