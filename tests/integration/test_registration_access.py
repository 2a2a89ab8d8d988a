"""Who may do what: organisation A (the owner), organisation B, staff and no token, per route.

Another organisation's registration must look exactly like a missing one (404), never 403.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from services.registration.settings import RegistrationSettings
from tests.dates import in_days
from tests.integration.registration_support import (
    ORG_B,
    YEAR,
    Env,
    checklist_done,
    form,
    publish_period,
    registration_env,
    today,
)

pytestmark = pytest.mark.asyncio


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # `{id}` stands for the owner's registration
    body: dict[str, Any] | None
    org_a: int
    org_b: int
    staff: int
    anonymous: int = 401
    before: tuple[str, ...] = ()  # staff actions that bring the registration to the state needed


ROUTES = [
    Route("GET", "/v1/services", None, 200, 200, 200, anonymous=200),
    Route("GET", "/v1/registrations", None, 200, 200, 200),
    Route("GET", "/v1/registrations/export.csv", None, 403, 403, 200),
    Route("GET", "/v1/registrations/export.xlsx", None, 403, 403, 200),
    Route("GET", "/v1/registrations/{id}", None, 200, 404, 200),
    Route("PATCH", "/v1/registrations/{id}", {"reason": "first_deployment"}, 200, 404, 403),
    Route("GET", "/v1/registrations/{id}/history", None, 200, 404, 200),
    Route("POST", "/v1/registrations/{id}/withdraw", None, 200, 404, 403),
    Route("POST", "/v1/registrations/{id}/accept", None, 403, 403, 200),
    Route("POST", "/v1/registrations/{id}/reject", {"reason": "No."}, 403, 403, 200),
    Route("POST", "/v1/registrations/{id}/return", {"changes_requested": "x"}, 403, 403, 200),
    Route(
        "POST",
        "/v1/registrations/{id}/move",
        {"period": {"year": YEAR, "number": 2}},
        403,
        403,
        200,
        before=("accept",),
    ),
    Route(
        "POST",
        "/v1/registrations/{id}/deploy",
        {"deployed_on": in_days(-30).isoformat()},
        403,
        403,
        200,
        before=("accept",),
    ),
    Route(
        "POST", "/v1/registrations/{id}/complete", None, 403, 403, 200, before=("accept", "deploy")
    ),
]


@pytest.fixture
async def env(make_settings: Callable[..., Any]) -> AsyncIterator[Env]:
    async with registration_env(make_settings(RegistrationSettings)) as env:
        yield env


async def _call(env: Env, route: Route, rid: str, headers: dict[str, str]) -> Any:
    return await env.client.request(
        route.method, route.path.replace("{id}", rid), json=route.body, headers=headers
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_every_route_answers_each_caller_without_leaking(env: Env, route: Route) -> None:
    await publish_period(env.app, number=2)
    # R8: the checklist is complete, so that the routes after `deploy` can be reached.
    rid = (await env.submit(form(customership=checklist_done())))["id"]
    for action in route.before:
        body = {"deployed_on": today().isoformat()} if action == "deploy" else None
        step = await env.client.post(
            f"/v1/registrations/{rid}/{action}", json=body, headers=env.staff
        )
        assert step.status_code == 200, step.text

    anonymous = await _call(env, route, rid, {})
    assert anonymous.status_code == route.anonymous, anonymous.text

    org_b = await _call(env, route, rid, env.org_b)
    assert org_b.status_code == route.org_b, org_b.text
    if route.org_b == 404:
        missing_id = str(uuid.uuid4())
        missing = await _call(env, route, missing_id, env.org_b)
        assert missing.status_code == 404
        assert org_b.json()["code"] == missing.json()["code"] == "registration_not_found"
        assert org_b.json()["detail"].replace(rid, "?") == missing.json()["detail"].replace(
            missing_id, "?"
        )
        assert set(org_b.json()) == set(missing.json())
    if route.org_b == 403:
        assert org_b.json()["code"] == "staff_only"
    if route.path == "/v1/registrations":
        assert org_b.json()["items"] == []

    staff = await _call(env, route, rid, env.staff)
    assert staff.status_code == route.staff, staff.text
    if route.staff == 403:
        assert staff.json()["code"] == "organisation_only"
    if route.path == "/v1/registrations/export.csv":
        assert rid in staff.text

    org_a = await _call(env, route, rid, env.org_a)
    assert org_a.status_code == route.org_a, org_a.text
    if route.path == "/v1/registrations":
        assert [item["id"] for item in org_a.json()["items"]] == [rid]


async def test_lists_show_each_organisation_only_its_own(env: Env) -> None:
    a = (await env.submit())["id"]
    b = await env.client.post("/v1/registrations", json=form(ORG_B), headers=env.org_b)
    assert b.status_code == 201
    seen = {
        who: {
            item["id"]
            for item in (await env.client.get("/v1/registrations", headers=headers)).json()["items"]
        }
        for who, headers in (("a", env.org_a), ("b", env.org_b), ("staff", env.staff))
    }
    assert seen == {"a": {a}, "b": {b.json()["id"]}, "staff": {a, b.json()["id"]}}
    history = await env.client.get(f"/v1/registrations/{a}/history", headers=env.org_b)
    assert history.status_code == 404
