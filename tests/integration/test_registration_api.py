"""The registration form over HTTP: 201 with the stored form, a problem for each broken rule."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.registration.domain.errors import ANSWERED
from services.registration.domain.rules import add_months
from services.registration.settings import RegistrationSettings
from tests.dates import iso
from tests.integration.registration_support import (
    ORG_A,
    ORG_B,
    YEAR,
    Env,
    form,
    planned,
    publish_period,
    registration_env,
    social_welfare_form,
    today,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    async with registration_env(make_settings(RegistrationSettings)) as env:
        yield env


async def test_a_valid_form_is_stored_returned_and_announced(env: Env) -> None:
    body = form()
    response = await env.client.post(
        "/v1/registrations", json=body, headers={**env.org_a, "X-Correlation-ID": "trace-me"}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["state"] == "submitted"
    assert created["registration_required"] is True
    assert created["warnings"] == []
    assert created["organisation"] == body["organisation"]
    assert created["contacts"] == body["contacts"]
    assert created["period"] == {"year": YEAR, "number": 1}
    assert created["customership"]["pending"] == [
        "commitment_signed_on",
        "service_application_on",
        "service_description_accepted_on",
        "details_submitted_on",
    ]
    assert response.headers["Location"] == f"/v1/registrations/{created['id']}"
    assert response.headers["X-Correlation-ID"] == "trace-me"
    again = await env.client.get(f"/v1/registrations/{created['id']}", headers=env.org_a)
    assert again.status_code == 200
    assert again.json() == created
    assert await env.counts() == (1, 1, 1)


async def test_the_compact_business_id_is_stored_hyphenated(env: Env) -> None:
    body = form()
    body["organisation"]["business_id"] = "20774740"
    created = await env.submit(body)
    assert created["organisation"]["business_id"] == ORG_A


async def test_r5_vendor_support_makes_the_registration_optional_but_accepted(env: Env) -> None:
    created = await env.submit(form(vendor_handles_support=True))
    assert created["registration_required"] is False
    assert created["state"] == "submitted"


async def test_r6_short_lead_time_is_accepted_with_a_warning(env: Env) -> None:
    body = form(planned_production_start=planned(2))
    created = await env.submit(body)
    assert [w["code"] for w in created["warnings"]] == ["short_lead_time"]
    uncertified = form(service="prescription")
    uncertified["system"]["certified"] = False
    assert [w["code"] for w in (await env.submit(uncertified))["warnings"]] == ["short_lead_time"]
    certified = await env.submit(form(service="certificate_delivery"))
    assert certified["warnings"] == []


async def test_r4_social_welfare_may_register_a_profile_change(env: Env) -> None:
    body = social_welfare_form(reason="significant_extension")
    body["system"]["profile"] = "Sosiaalihuollon profiili B"
    body["customership"]["existing_customer"] = True
    created = await env.submit(body)
    assert created["reason"] == "significant_extension"
    assert created["system"]["profile"] == "Sosiaalihuollon profiili B"


def _with(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    body = base or form()
    *parents, last = path.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return body


RULES: list[tuple[str, Callable[[], dict[str, Any]], str, str]] = [
    ("R3", lambda: _with("reason", "whim"), "validation_error", "reason"),
    (
        "R4",
        lambda: _with(
            "reason", "significant_extension", _with("customership.existing_customer", True)
        ),
        "profile_change_not_social_welfare",
        "reason",
    ),
    (
        "R4",
        lambda: _with("system.profile", "Profiili"),
        "profile_change_not_social_welfare",
        "system.profile",
    ),
    (
        "R4",
        lambda: social_welfare_form(
            reason="significant_extension",
            customership={"existing_customer": True},
        ),
        "profile_required",
        "system.profile",
    ),
    (
        "R5",
        lambda: social_welfare_form(vendor_handles_support=True),
        "vendor_support_not_health_care",
        "vendor_handles_support",
    ),
    (
        "R7",
        lambda: form(planned_production_start=add_months(today(), 8).isoformat()),
        "production_after_period",
        "planned_production_start",
    ),
    (
        "R8",
        lambda: form(reason="new_service_or_functionality"),
        "customership_required",
        "customership.existing_customer",
    ),
    (
        "R8",
        lambda: _with("customership.commitment_signed_on", add_months(today(), 1).isoformat()),
        "date_in_future",
        "customership.commitment_signed_on",
    ),
    ("catalogue", lambda: form(service="x_ray"), "unknown_service", "service"),
    (
        "catalogue",
        lambda: social_welfare_form(service="patient_data_repository"),
        "service_not_for_domain",
        "service",
    ),
    ("period", lambda: form(number=2), "period_not_open", "period"),
]


@pytest.mark.parametrize(("rule", "make", "code", "field"), RULES)
async def test_each_broken_rule_is_a_422_problem_that_saves_nothing(
    env: Env, rule: str, make: Callable[[], dict[str, Any]], code: str, field: str
) -> None:
    response = await env.client.post("/v1/registrations", json=make(), headers=env.org_a)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["field"]) == (code, field), rule
    assert problem["detail"]
    if code not in ("validation_error", "period_not_open"):
        assert (problem["errors"][0]["field"], problem["errors"][0]["type"]) == (field, code)
    assert await env.counts() == (0, 0, 0)


async def test_a_closed_window_is_period_not_open(env: Env) -> None:
    await publish_period(
        env.app, number=2, opens=add_months(today(), -2), closes=add_months(today(), -1)
    )
    await publish_period(env.app, number=3, opens=add_months(today(), 1))
    for number in (2, 3):
        response = await env.client.post(
            "/v1/registrations", json=form(number=number), headers=env.org_a
        )
        assert (response.status_code, response.json()["code"]) == (422, "period_not_open")


VALIDATION: list[tuple[Callable[[], dict[str, Any]], str, str]] = [
    (lambda: _with("organisation.business_id", "2077474-1"), "organisation.business_id", "check"),
    (lambda: _with("organisation.business_id", "1000016-0"), "organisation.business_id", "check"),
    (lambda: _with("organisation.business_id", "207747-0"), "organisation.business_id", "7 digits"),
    (lambda: _with("organisation.oid", "1.2.246.10.2048198.10.0"), "organisation.oid", "embed"),
    (lambda: _with("organisation.oid", "1.2.3"), "organisation.oid", "not an organisation OID"),
    (lambda: _with("organisation.sector", "mixed"), "organisation.sector", "public"),
    (lambda: _with("organisation.domain", "dentistry"), "organisation.domain", "health_care"),
    (lambda: _with("organisation.extra", 1), "organisation.extra", "not part of the form"),
    (lambda: form(state="accepted"), "state", "not part of the form"),
    (lambda: form(id="3fa85f64-5717-4562-b3fc-2c963f66afa6"), "id", "not part of the form"),
    (lambda: form(submitted_at=iso(today())), "submitted_at", "not part of the form"),
    (lambda: form(warnings=[]), "warnings", "not part of the form"),
    (lambda: form(contacts=[]), "contacts", "at least 1"),
    (lambda: _with("contacts.0.email", "not-an-address"), "contacts.0.email", "email"),
    (lambda: _with("contacts.0.language", "de"), "contacts.0.language", "'fi', 'sv' or 'en'"),
    (lambda: _with("contacts.0.role", "boss"), "contacts.0.role", "technical"),
    (lambda: _with("period.number", 4), "period.number", "less than or equal to 3"),
    (lambda: _with("planned_production_start", "soon"), "planned_production_start", "date"),
    (lambda: _with("system.certified", "maybe"), "system.certified", "boolean"),
    (lambda: _with("service", "Not A Code"), "service", "pattern"),
    (lambda: {"contacts": form()["contacts"]}, "organisation", "required"),
]


@pytest.mark.parametrize(("make", "field", "words"), VALIDATION)
async def test_invalid_fields_are_a_validation_problem_naming_the_field(
    env: Env, make: Callable[[], dict[str, Any]], field: str, words: str
) -> None:
    response = await env.client.post("/v1/registrations", json=make(), headers=env.org_a)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("validation_error", field)
    assert words in problem["detail"]
    assert await env.counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'"text"', "not a JSON object"),
        (b"", "no body"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_a_422_problem_on_the_body(
    env: Env, content: bytes, words: str
) -> None:
    response = await env.client.post(
        "/v1/registrations",
        content=content,
        headers={**env.org_a, "content-type": "application/json"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("validation_error", "body")
    assert words in problem["detail"]


async def test_an_organisation_may_not_register_for_another_business_id(env: Env) -> None:
    # Issue 7, item 12: another business ID in the body is refused as invalid input.
    response = await env.client.post("/v1/registrations", json=form(ORG_B), headers=env.org_a)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "not_your_organisation",
        "organisation.business_id",
    )
    assert await env.counts() == (0, 0, 0)
    staff = await env.client.post("/v1/registrations", json=form(ORG_B), headers=env.staff)
    assert staff.status_code == 201


async def test_no_token_is_401(env: Env) -> None:
    response = await env.client.post("/v1/registrations", json=form())
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_second_active_registration_is_409_naming_the_first(env: Env) -> None:
    first = await env.submit()
    response = await env.client.post("/v1/registrations", json=form(), headers=env.org_a)
    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["registration_id"]) == ("duplicate_registration", first["id"])
    assert await env.counts() == (1, 1, 1)
    other_service = await env.client.post(
        "/v1/registrations", json=form(service="prescription"), headers=env.org_a
    )
    assert other_service.status_code == 201
    withdrawn = await env.client.post(
        f"/v1/registrations/{first['id']}/withdraw", headers=env.org_a
    )
    assert withdrawn.status_code == 200
    assert (
        await env.client.post("/v1/registrations", json=form(), headers=env.org_a)
    ).status_code == 201


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(env: Env) -> None:
    headers = {**env.org_a, "Idempotency-Key": "order-42"}
    first = await env.client.post("/v1/registrations", json=form(), headers=headers)
    again = await env.client.post("/v1/registrations", json=form(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await env.counts() == (1, 1, 1)
    other = await env.client.post(
        "/v1/registrations", json=form(service="prescription"), headers=headers
    )
    assert other.status_code == 422
    assert (other.json()["code"], other.json()["field"]) == (
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    # Keys belong to one client: another client's same key is a new request.
    b_headers = {**env.org_b, "Idempotency-Key": "order-42"}
    b = await env.client.post("/v1/registrations", json=form(ORG_B), headers=b_headers)
    assert b.status_code == 201
    assert b.json()["id"] != first.json()["id"]
    assert await env.counts() == (2, 2, 2)


async def test_an_unknown_registration_is_a_404_problem(env: Env) -> None:
    response = await env.client.get(
        "/v1/registrations/3fa85f64-5717-4562-b3fc-2c963f66afa6", headers=env.staff
    )
    assert (response.status_code, response.json()["code"]) == (404, "registration_not_found")
    malformed = await env.client.get("/v1/registrations/not-a-uuid", headers=env.staff)
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "registration_id"


async def test_the_catalogue_is_public(env: Env) -> None:
    response = await env.client.get("/v1/services")
    assert response.status_code == 200
    catalogue = response.json()
    assert catalogue["version"] == "2026.1"
    codes = {s["code"]: s for s in catalogue["services"]}
    assert codes["prescription"]["domains"] == ["health_care", "pharmacy"]
    assert codes["sw_phase_1_documents"]["document_group"] is True
    assert codes["patient_data_repository"]["names"]["sv"]["current"]


async def test_openapi_has_an_example_for_every_request_body_and_problem(env: Env) -> None:
    spec = (await env.client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    routes = [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        if (path.startswith("/v1/registrations") or path == "/v1/services")
        and "/deployment-tests" not in path  # the extension of use documents its own
        for method, operation in methods.items()
    ]
    assert len(routes) == 15
    documented: set[str] = set()
    for path, method, operation in routes:
        declared = 0
        body = operation.get("requestBody")
        if body is not None:
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert schemas[ref].get("examples"), (path, method, ref)
        for status, response in operation["responses"].items():
            if response.get("description", "").startswith("- `"):  # declared by the route
                example = response["content"]["application/problem+json"]["example"]
                assert example["status"] == int(status), (path, method, status)
                assert f"`{example['code']}`" in response["description"]
                declared += 1
            documented |= set(re.findall(r"`([a-z_]+)`", response.get("description", "")))
        assert declared or path == "/v1/services", (path, method)
    assert {"registration_not_found", "duplicate_registration", "same_period"} <= documented
    everywhere = {
        code
        for methods in spec["paths"].values()
        for operation in methods.values()
        for response in operation["responses"].values()
        for code in re.findall(r"`([a-z_]+)`", response.get("description", ""))
    }
    # Every code this service answers (domain.errors) is documented on some route.
    assert {problem.code for problem in ANSWERED} <= everywhere


async def test_every_response_carries_a_correlation_id_and_is_counted_by_route(env: Env) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    first = await env.client.get(f"/v1/registrations/{missing}", headers=env.org_a)
    bad = await env.client.get(
        f"/v1/registrations/{missing}", headers={**env.org_a, "X-Correlation-ID": "x" * 201}
    )
    assert first.status_code == bad.status_code == 404
    generated = {first.headers["X-Correlation-ID"], bad.headers["X-Correlation-ID"]}
    assert len(generated) == 2 and all(re.fullmatch(r"[0-9a-f-]{36}", g) for g in generated)
    metrics = (await env.client.get("/metrics")).text
    # Counted by the route's template, never by the raw path (ids would explode the series).
    assert re.search(
        r'http_requests_total\{method="GET",route="/v1/registrations/\{registration_id\}",'
        r'service="registration",status="404"\} ([0-9.]+)',
        metrics,
    )
    assert missing not in metrics
