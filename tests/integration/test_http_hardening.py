"""#15 items 2 and 11 against the real services on PostgreSQL: text that cannot poison, HTTP
that tells the truth.

- A NUL (or any control character) in a query, path or form parameter is a 422
  `validation_error` naming the parameter, refused before routing; never the
  `503 storage_unavailable` with `Retry-After` that clients retry for ever.
- A text PostgreSQL itself refuses (a NUL reaching a query) is a 422 too.
- A 405 lists every method of the path in `Allow`, also where a route with a path
  parameter would take the method; a body that is not JSON is a 415.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.notifications.main import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registration.main import create_app as create_registration
from services.registration.settings import RegistrationSettings
from shared.db import create_engine
from shared.http import install_error_handlers, install_request_guards
from shared.settings import MEMORY_BROKER, ServiceSettings
from tests.support import bearer, running

pytestmark = pytest.mark.asyncio

SERVICES = ("registration", "scheduling", "notifications")
S = TypeVar("S", bound=ServiceSettings)


def on_postgresql(cls: type[S], database_url: str) -> S:
    """A service's settings on PostgreSQL with the in-memory broker (HTTP is all we test)."""
    return cls(
        environment="test", database_url=database_url, amqp_url=MEMORY_BROKER, log_json=False
    )


@pytest.fixture
async def registration(
    pg_databases: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, RegistrationSettings]]:
    settings = on_postgresql(RegistrationSettings, await pg_databases.create("reg_http"))
    async with running(create_registration(settings)) as client:
        yield client, settings


@pytest.fixture
async def notifications(
    pg_databases: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, NotificationsSettings]]:
    settings = on_postgresql(NotificationsSettings, await pg_databases.create("notif_http"))
    async with running(create_notifications(settings)) as client:
        yield client, settings


def assert_refused(response: httpx.Response, field: str, code_point: str = "U+0000") -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Retry-After" not in response.headers
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["field"] == field
    assert code_point in problem["detail"]
    assert problem["correlation_id"] == response.headers["X-Correlation-ID"]


# --- #15 item 2: control characters in parameters -------------------------------------------


async def test_a_nul_in_the_token_forms_client_id_is_a_422_naming_it(
    registration: tuple[httpx.AsyncClient, RegistrationSettings],
) -> None:
    client, _ = registration
    response = await client.post(
        "/v1/token",
        content=b"grant_type=client_credentials&client_id=a%00b&client_secret=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_refused(response, "client_id")


async def test_a_nul_in_a_query_parameter_is_a_422_naming_it(
    registration: tuple[httpx.AsyncClient, RegistrationSettings],
) -> None:
    client, settings = registration
    response = await client.get(
        "/v1/registrations?service=a%00b", headers=bearer(settings, "staff")
    )
    assert_refused(response, "service")


async def test_a_nul_in_a_path_parameter_is_a_422_naming_it(
    registration: tuple[httpx.AsyncClient, RegistrationSettings],
) -> None:
    client, settings = registration
    response = await client.get("/v1/customerships/%00", headers=bearer(settings, "staff"))
    assert_refused(response, "business_id")


async def test_a_nul_in_a_suppressed_address_is_a_422_naming_it(
    notifications: tuple[httpx.AsyncClient, NotificationsSettings],
) -> None:
    client, settings = notifications
    for method in ("GET", "DELETE"):
        response = await client.request(
            method, "/v1/suppressions/a%00@x.fi", headers=bearer(settings, "staff")
        )
        assert_refused(response, "email")


@pytest.mark.parametrize(
    ("query", "field", "code_point"),
    [
        ("service=a%01b", "service", "U+0001"),
        ("service=a%7Fb", "service", "U+007F"),
        ("service=a%C2%85b", "service", "U+0085"),  # C1 (NEL), UTF-8 encoded
        ("service=a%0D%0Ab", "service", "U+000D"),
        ("ser%00vice=x", "query", "U+0000"),  # in the parameter's name
        ("business_id=2077474-0&service=%00", "service", "U+0000"),
    ],
)
async def test_every_control_character_in_a_query_is_refused(
    registration: tuple[httpx.AsyncClient, RegistrationSettings],
    query: str,
    field: str,
    code_point: str,
) -> None:
    client, settings = registration
    response = await client.get(f"/v1/registrations?{query}", headers=bearer(settings, "staff"))
    assert_refused(response, field, code_point)


async def test_a_nul_is_refused_before_routing_and_authentication(
    registration: tuple[httpx.AsyncClient, RegistrationSettings],
) -> None:
    client, _ = registration
    # No token, and a path no route has: the guard answers first, naming the path.
    assert_refused(await client.get("/v1/nowhere/%00"), "path")
    assert_refused(await client.get("/v1/customerships/%00"), "business_id")


async def test_text_without_control_characters_still_passes(
    registration: tuple[httpx.AsyncClient, RegistrationSettings],
) -> None:
    client, settings = registration
    staff = bearer(settings, "staff")
    response = await client.get("/v1/registrations?service=p%C3%A4%C3%A4%20x", headers=staff)
    assert response.status_code == 200, response.text
    response = await client.get("/v1/customerships/2077474-0", headers=staff)
    assert response.status_code == 404, response.text


async def test_a_text_postgresql_refuses_is_a_422_not_a_503(pg_databases: Any) -> None:
    """Defence in depth: a NUL that reaches a query anyway (asyncpg raises
    CharacterNotInRepertoireError, "invalid byte sequence"; in JSON,
    UntranslatableCharacterError, "\\u0000 cannot be converted to text")."""
    engine = create_engine(await pg_databases.create("nul_text"))
    app = FastAPI()
    install_error_handlers(app)
    install_request_guards(app)

    @app.post("/text")
    async def store_text(body: dict[str, str]) -> dict[str, str]:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT CAST(:v AS text)"), {"v": body["v"]})
        return body

    @app.post("/json")
    async def store_json(body: dict[str, str]) -> dict[str, str]:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT CAST(:v AS jsonb)"), {"v": body["v"]})
        return body

    @app.post("/broken")
    async def broken() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM no_such_table"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ok = await client.post("/text", json={"v": "plain"})
            assert ok.status_code == 200, ok.text
            for path, value in (("/text", "a\u0000b"), ("/json", '{"a": "\\u0000"}')):
                response = await client.post(path, json={"v": value})
                assert response.status_code == 422, response.text
                assert response.json()["code"] == "validation_error"
                assert "Retry-After" not in response.headers
            # Any other database failure stays what it was: a 503 to retry.
            response = await client.post("/broken")
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "storage_unavailable"
    finally:
        await engine.dispose()


# --- #15 item 11: HTTP conformance ----------------------------------------------------------


def build(service: str) -> FastAPI:
    """A service's app on SQLite; the guard answers before any route or lifespan is needed."""
    main = importlib.import_module(f"services.{service}.main")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings = getattr(settings_module, f"{service.capitalize()}Settings")(
        database_url="sqlite+aiosqlite:///:memory:", environment="test", amqp_url=MEMORY_BROKER
    )
    app: FastAPI = main.create_app(settings)
    return app


def concrete(path: str) -> str:
    """A path of the template with a harmless value for each parameter."""
    import re

    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_405_lists_every_method_of_the_path_in_allow(service: str) -> None:
    app = build(service)
    schema = app.openapi()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        checked = 0
        for path, item in schema["paths"].items():
            methods = sorted(m.upper() for m in item)
            for missing in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - set(methods)):
                response = await client.request(missing, concrete(path))
                assert response.status_code == 405, (missing, path, response.text)
                assert response.headers["Allow"] == ", ".join(methods), (missing, path)
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["code"] == "method_not_allowed"
                checked += 1
    assert checked > 0


async def test_a_path_with_several_methods_lists_them_all() -> None:
    app = build("registration")
    transport = httpx.ASGITransport(app=app)
    several = [p for p, item in app.openapi()["paths"].items() if len(item) > 1]
    assert several, "no path of registration has two methods any more"
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.put(concrete(several[0]))
    assert response.status_code == 405
    assert len(response.headers["Allow"].split(", ")) > 1


@pytest.mark.parametrize("role", ["staff", "organisation"])
async def test_a_method_the_literal_path_lacks_is_405_even_where_a_template_takes_it(
    role: str,
) -> None:
    """`PATCH /v1/registrations/export.csv` matched `PATCH /v1/registrations/{id}` (a 422 or
    403); the path exists, without PATCH: a 405."""
    app = build("registration")
    settings = app.state.settings
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.patch(
            "/v1/registrations/export.csv",
            json={},
            headers=bearer(settings, role),  # type: ignore[arg-type]
        )
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"organisation": {}}'),
        ("application/x-www-form-urlencoded", b"organisation=x"),
        ("multipart/form-data; boundary=x", b"--x--"),
        ("application/xml", b"<registration/>"),
    ],
)
async def test_a_json_route_answers_415_to_a_body_that_is_not_json(
    content_type: str, body: bytes
) -> None:
    app = build("registration")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/v1/registrations",
            content=body,
            headers={"Content-Type": content_type, **bearer(app.state.settings, "staff")},
        )
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "unsupported_media_type"
    assert "application/json" in problem["detail"]


async def test_json_variants_are_still_json() -> None:
    app = build("registration")
    async with running(app) as client:
        for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
            response = await client.post(
                "/v1/registrations",
                content=b"[]",
                headers={"Content-Type": content_type, **bearer(app.state.settings, "staff")},
            )
            # Read as JSON: the body's shape is what is wrong, not its media type.
            assert response.status_code == 422, response.text


async def test_the_token_form_answers_415_to_json() -> None:
    app = build("registration")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/v1/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 415, response.text
    assert "application/x-www-form-urlencoded" in response.json()["detail"]
