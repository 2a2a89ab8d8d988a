"""Every route of every service against callers it must refuse (issue 7, item 11).

Routes are read from the apps themselves, so a new route is covered the day it is added:
no token, an expired token and a token signed with another key get 401 everywhere; an
organisation gets 403 on staff routes and staff get 403 on organisation-only routes.
Objects of another organisation answering 404 are tested per service beside its routes.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared import auth
from shared.clock import SystemClock
from tests.support import bearer, running

pytestmark = pytest.mark.asyncio

SERVICES = ("registration", "scheduling", "notifications", "webhooks")
PUBLIC = {
    ("POST", "/v1/token"),  # authenticates the client itself (client credentials)
    ("GET", "/v1/services"),  # the public catalogue of Kanta services (reference data)
    ("GET", "/v1/feeds/{token}.ics"),  # the unguessable token in the URL is the credential
}


def _dependencies(route: APIRoute) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            found.add(dependant.call)
        stack.extend(dependant.dependencies)
    return found


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # a router included in the app
            found.extend(_api_routes(route.original_router.routes))
    return found


def _routes(app: FastAPI) -> list[tuple[str, str, set[Callable[..., Any]]]]:
    return [
        (method, route.path, _dependencies(route))
        for route in _api_routes(app.routes)
        if route.path.startswith("/v1/")
        for method in sorted(route.methods or ())
    ]


def _concrete(path: str) -> str:
    """Fill path parameters with values of the right shape that name nothing."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            parts.append("2077474-0" if "business_id" in name else str(uuid.uuid4()))
        elif "{" in part:  # e.g. `{session_id}.ics`
            head, _, rest = part.partition("{")
            _, _, tail = rest.partition("}")
            parts.append(f"{head}{uuid.uuid4()}{tail}")
        else:
            parts.append(part)
    return "/".join(parts)


def _app(service: str, make_settings: Callable[..., Any]) -> FastAPI:
    main = importlib.import_module(f"services.{service}.main")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings = make_settings(getattr(settings_module, f"{service.capitalize()}Settings"))
    app: FastAPI = main.create_app(settings)
    return app


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_refuses_missing_expired_and_foreign_tokens_and_wrong_roles(
    service: str, make_settings: Callable[..., Any]
) -> None:
    app = _app(service, make_settings)
    settings = app.state.settings
    foreign = make_settings(type(settings), auth_secret="a-key-of-somebody-else-entirely-0123")
    callers: dict[str, dict[str, str]] = {
        "no token": {},
        "expired": bearer(settings, "staff", ttl_s=60, now=SystemClock().now().timestamp() - 3600),
        "other key": bearer(foreign, "staff"),
        "garbage": {"Authorization": "Bearer not.a.token"},
    }
    organisation = bearer(settings, "organisation", "2077474-0")
    staff = bearer(settings, "staff")
    wrong: list[str] = []
    checked = 0
    async with running(app) as client:
        for method, path, dependencies in _routes(app):
            if (method, path) in PUBLIC:
                continue
            url = _concrete(path)
            for label, headers in callers.items():
                response = await client.request(method, url, headers=headers, json={})
                checked += 1
                if response.status_code != 401 or "www-authenticate" not in response.headers:
                    wrong.append(f"{label}: {method} {path} -> {response.status_code}")
            if auth._staff_caller in dependencies:
                response = await client.request(method, url, headers=organisation, json={})
                checked += 1
                if response.status_code != 403:
                    wrong.append(f"organisation on staff route {method} {path}")
            if auth._organisation_caller in dependencies:
                response = await client.request(method, url, headers=staff, json={})
                checked += 1
                if response.status_code != 403:
                    wrong.append(f"staff on organisation route {method} {path}")
            guarded = {auth._caller, auth._staff_caller, auth._organisation_caller}
            if not dependencies & guarded:
                wrong.append(f"{method} {path} has no authentication dependency")
    assert wrong == []
    assert checked > 0


@pytest.mark.parametrize("service", SERVICES)
async def test_writes_are_rate_limited_per_client_with_retry_after(
    service: str, make_settings: Callable[..., Any]
) -> None:
    main = importlib.import_module(f"services.{service}.main")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings = make_settings(
        getattr(settings_module, f"{service.capitalize()}Settings"), rate_limit_writes="3/minute"
    )
    app: FastAPI = main.create_app(settings)
    method, path, _ = next(
        (m, p, d) for m, p, d in _routes(app) if m in ("POST", "PATCH") and (m, p) not in PUBLIC
    )
    one, other = bearer(settings, "staff"), bearer(settings, "staff")
    async with running(app) as client:
        url = _concrete(path)
        first = [
            (await client.request(method, url, headers=one, json={})).status_code for _ in range(3)
        ]
        assert 429 not in first
        limited = await client.request(method, url, headers=one, json={})
        assert limited.status_code == 429, limited.text
        assert limited.json()["code"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        reads = await client.get("/healthz", headers=one)
        assert reads.status_code == 200
        assert (await client.request(method, url, headers=other, json={})).status_code != 429
