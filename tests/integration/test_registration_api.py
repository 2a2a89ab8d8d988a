"""The registration API over HTTP: 201 with the stored form, problem details for bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.registration.main import create_app
from services.registration.models import Registration
from services.registration.settings import RegistrationSettings
from tests.support import running

pytestmark = pytest.mark.asyncio

VALID: dict[str, Any] = {
    "organisation": {"name": "Esimerkki Terveys Oy", "business_id": "2077474-0"},
    "contacts": [{"name": "Maija Meikäläinen", "email": "maija@example.fi", "language": "sv"}],
}


@pytest.fixture
async def client(make_settings: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(RegistrationSettings))
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


async def _stored(client: httpx.AsyncClient) -> tuple[int, int]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.engine.connect() as conn:
        registrations = (
            await conn.execute(select(func.count()).select_from(Registration))
        ).scalar_one()
        events = (
            await conn.execute(select(func.count()).select_from(runtime.tables.outbox))
        ).scalar_one()
    return registrations, events


async def test_a_valid_registration_is_stored_and_returned(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/registrations", json=VALID, headers={"X-Correlation-ID": "trace-me"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "submitted"
    assert body["organisation"] == VALID["organisation"]
    assert body["contacts"] == VALID["contacts"]
    assert response.headers["X-Correlation-ID"] == "trace-me"
    again = await client.get(f"/v1/registrations/{body['id']}")
    assert again.status_code == 200
    assert again.json() == body
    assert await _stored(client) == (1, 1)


async def test_the_compact_business_id_is_stored_hyphenated(client: httpx.AsyncClient) -> None:
    body = {**VALID, "organisation": {"name": "X Oy", "business_id": "20774740"}}
    response = await client.post("/v1/registrations", json=body)
    assert response.status_code == 201
    assert response.json()["organisation"]["business_id"] == "2077474-0"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {**VALID, "organisation": {"name": "X Oy", "business_id": "2077474-1"}},
            "organisation.business_id",
            "check digit",
        ),
        (
            {**VALID, "organisation": {"name": "X Oy", "business_id": "207747-0"}},
            "organisation.business_id",
            "7 digits",
        ),
        (
            {**VALID, "organisation": {"name": "X Oy", "business_id": "1000008-0"}},
            "organisation.business_id",
            "check digit",
        ),
        ({**VALID, "state": "accepted"}, "state", "not part of the form"),
        ({**VALID, "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, "id", "not part of the form"),
        (
            {**VALID, "organisation": {**VALID["organisation"], "oid": "1.2.3", "extra": 1}},
            "organisation.oid",
            "not part of the form",
        ),
        ({**VALID, "contacts": []}, "contacts", "at least 1"),
        (
            {**VALID, "contacts": [{"name": "M", "email": "not-an-address", "language": "fi"}]},
            "contacts.0.email",
            "email",
        ),
        (
            {**VALID, "contacts": [{"name": "M", "email": "m@example.fi", "language": "de"}]},
            "contacts.0.language",
            "'fi', 'sv' or 'en'",
        ),
        ({"contacts": VALID["contacts"]}, "organisation", "required"),
        (
            {**VALID, "organisation": {"name": "  ", "business_id": "2077474-0"}},
            "organisation.name",
            "at least 1",
        ),
    ],
)
async def test_invalid_input_is_a_422_problem_naming_the_field_and_saves_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], field: str, words: str
) -> None:
    response = await client.post("/v1/registrations", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["status"] == 422
    assert problem["field"] == field
    assert words in problem["detail"]
    assert any(error["field"] == field for error in problem["errors"])
    assert await _stored(client) == (0, 0)


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
    client: httpx.AsyncClient, content: bytes, words: str
) -> None:
    response = await client.post(
        "/v1/registrations", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["field"]) == ("validation_error", "body")
    assert words in problem["detail"]
    assert await _stored(client) == (0, 0)


async def test_an_unknown_registration_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/registrations/3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "registration_not_found"
    malformed = await client.get("/v1/registrations/not-a-uuid")
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "registration_id"


async def test_unknown_routes_and_methods_answer_problem_details(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = await client.delete("/v1/registrations")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


async def test_health_readiness_metrics_and_docs(client: httpx.AsyncClient) -> None:
    await client.post("/v1/registrations", json=VALID)
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    metrics = (await client.get("/metrics")).text
    assert (
        'http_requests_total{method="POST",route="/v1/registrations",service="registration",status="201"}'
        in metrics
    )
    assert "events_published_total" in metrics
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/v1/registrations"]["post"]
    assert "examples" in spec["components"]["schemas"]["RegistrationCreate"]
    assert post["responses"]["422"]["content"]["application/problem+json"]["example"]["code"] == (
        "validation_error"
    )
