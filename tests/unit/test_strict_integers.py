"""Booleans are not integers in any request (#15): `false` is a 422 naming the field, not 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.registration.settings import RegistrationSettings
from tests.integration.registration_support import form, registration_env
from tests.integration.scheduling_support import create_period, scheduling_service, session_body


async def test_a_boolean_for_a_period_number_is_refused_naming_the_field(
    fast_settings: Callable[..., Any],
) -> None:
    async with registration_env(fast_settings(RegistrationSettings)) as env:
        body = form()
        body["period"]["number"] = True
        response = await env.client.post("/v1/registrations", json=body, headers=env.org_a)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "period.number"


async def test_a_boolean_for_a_capacity_is_refused_naming_the_field(
    fast_settings: Callable[..., Any],
) -> None:
    async with scheduling_service(fast_settings) as service:
        period = await create_period(service)
        response = await service.client.post(
            f"/v1/periods/{period['id']}/sessions",
            json=session_body(capacity=True),
            headers=service.staff,
        )
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "capacity"
